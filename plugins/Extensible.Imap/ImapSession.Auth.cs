using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using Extensible.Imap.Protocol;
using Extensible.Sdk.Security;
using Extensible.Sdk.Users;

namespace Extensible.Imap;

/// <summary>CAPABILITY, STARTTLS, LOGIN, AUTHENTICATE, ENABLE, ID and COMPRESS.</summary>
internal sealed partial class ImapSession
{
    private const string CommonCapabilities = "IMAP4rev1 IMAP4rev2 LITERAL+ LITERAL- SASL-IR ID ENABLE IDLE";

    private string Capabilities()
    {
        var sb = new StringBuilder(CommonCapabilities);
        if (_state == SessionState.NotAuthenticated)
        {
            if (!_connection.IsSecure && _connection.Listener.TlsAvailable)
            {
                sb.Append(" STARTTLS");
            }

            if (!PlainTextAllowed)
            {
                sb.Append(" LOGINDISABLED");
            }

            foreach (var mechanism in SaslServer.MechanismNames(PlainTextAllowed))
            {
                sb.Append(" AUTH=").Append(mechanism);
            }

            return sb.ToString();
        }

        sb.Append(" NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE")
          .Append(" CONDSTORE QRESYNC QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE ESEARCH SEARCHRES WITHIN SORT SORT=DISPLAY")
          .Append(" THREAD=REFERENCES THREAD=ORDEREDSUBJECT STATUS=SIZE APPENDLIMIT=").Append(_options.MaxLiteralSize)
          .Append(" MULTIAPPEND BINARY UTF8=ACCEPT");
        if (_options.EnableCompress && !_compressed)
        {
            sb.Append(" COMPRESS=DEFLATE");
        }

        return sb.ToString();
    }

    private async ValueTask CapabilityAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.ExpectEnd();
        _writer.Raw("* CAPABILITY ").Raw(Capabilities()).EndLine();
        await OkAsync(tag, "CAPABILITY completed", ct: ct);
    }

    private async ValueTask IdAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        if (p.TryConsume('('))
        {
            var fields = new List<string>();
            if (!p.TryConsume(')'))
            {
                do
                {
                    var key = p.ReadString();
                    p.Space();
                    var value = p.ReadNString();
                    if (fields.Count < 60)
                    {
                        fields.Add(key + "=" + value);
                    }
                }
                while (p.TryConsume(' '));
                p.Expect(')');
            }

            _connection.Logger.Debug("Client ID {Id}", string.Join(", ", fields));
        }
        else
        {
            p.ReadNString();
        }

        p.ExpectEnd();
        _writer.Line("* ID (\"name\" \"Extensible\" \"vendor\" \"Extensible\" \"support-url\" \"https://example.invalid/\")");
        await OkAsync(tag, "ID completed", ct: ct);
    }

    private async ValueTask StartTlsAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.ExpectEnd();
        if (_connection.IsSecure || !_connection.Listener.TlsAvailable)
        {
            throw new ImapParseException(_connection.IsSecure ? "TLS is already active" : "TLS is not available");
        }

        Tagged(tag, "OK", "Begin TLS negotiation now");
        await _writer.FlushAsync(ct);
        await _connection.UpgradeToTlsAsync(ct);
        _writer.Output = _connection.Transport.Output;
        _input = null;
    }

    private async ValueTask LoginAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var login = p.ReadAString();
        p.Space();
        var password = p.ReadAString();
        p.ExpectEnd();
        if (!PlainTextAllowed)
        {
            Tagged(tag, "NO", "Plain-text login is disabled without TLS; use STARTTLS", "PRIVACYREQUIRED");
            return;
        }

        var user = await _users.AuthenticateAsync(login, password, ct);
        if (user is null)
        {
            await FailAuthenticationAsync(tag, login, "bad credentials", ct);
            return;
        }

        await CompleteLoginAsync(tag, user, "LOGIN", ct);
    }

    private async ValueTask AuthenticateAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var name = p.ReadAtom();
        byte[]? initial = null;
        if (p.TryConsume(' '))
        {
            var text = p.ReadAtom(allowBracket: false);
            initial = text == "=" ? [] : DecodeBase64(text) ?? throw new ImapParseException("Initial response is not base64");
        }

        p.ExpectEnd();
        var mechanism = SaslServer.Create(name, _users);
        if (mechanism is null || !SaslServer.MechanismNames(true).Contains(mechanism.Name))
        {
            Tagged(tag, "NO", "Unsupported authentication mechanism", "CANNOT");
            return;
        }

        if (mechanism.IsPlainText && !PlainTextAllowed)
        {
            Tagged(tag, "NO", "Plain-text mechanisms are disabled without TLS; use STARTTLS", "PRIVACYREQUIRED");
            return;
        }

        var response = initial ?? [];
        while (true)
        {
            var step = await mechanism.StepAsync(response, ct);
            switch (step)
            {
                case SaslStep.Success success:
                    if (success.AdditionalData is { Length: > 0 } extra)
                    {
                        await _writer.Raw("+ ").Raw(Convert.ToBase64String(extra)).EndLine().FlushAsync(ct);
                        var ack = await ReadSaslLineAsync(ct);
                        if (ack is null)
                        {
                            return;
                        }

                        if (ack != string.Empty)
                        {
                            Tagged(tag, "BAD", "Authentication cancelled");
                            _errors++;
                            return;
                        }
                    }

                    await CompleteLoginAsync(tag, success.User, "AUTHENTICATE " + mechanism.Name, ct);
                    return;
                case SaslStep.Failure failure:
                    await FailAuthenticationAsync(tag, failure.Login, failure.Reason, ct);
                    return;
                case SaslStep.Challenge challenge:
                    await _writer.Raw("+ ").Raw(Convert.ToBase64String(challenge.Data)).EndLine().FlushAsync(ct);
                    var line = await ReadSaslLineAsync(ct);
                    if (line is null)
                    {
                        return;
                    }

                    if (line == "*")
                    {
                        Tagged(tag, "BAD", "Authentication cancelled");
                        _errors++;
                        return;
                    }

                    var decoded = DecodeBase64(line);
                    if (decoded is null)
                    {
                        Tagged(tag, "BAD", "Response is not base64");
                        _errors++;
                        return;
                    }

                    response = decoded;
                    break;
            }
        }
    }

    private async ValueTask<string?> ReadSaslLineAsync(CancellationToken ct)
    {
        var outcome = await _reader.ReadAsync(() => Input, _writer, authenticated: false, ct);
        using var command = outcome.Command;
        if (outcome.Kind != ReadOutcomeKind.Command || command!.Literals.Count > 0)
        {
            if (outcome.Kind == ReadOutcomeKind.EndOfInput)
            {
                _state = SessionState.Logout;
                return null;
            }

            return "*";
        }

        return Encoding.ASCII.GetString(command.Lines[0]);
    }

    private static byte[]? DecodeBase64(string text)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async ValueTask FailAuthenticationAsync(string tag, string? login, string reason, CancellationToken ct)
    {
        _authErrors++;
        _connection.ReportAuthenticationFailure();
        _connection.Logger.Information("Authentication failed for {Login}: {Reason}", login, reason);
        Tagged(tag, "NO", "Authentication failed", "AUTHENTICATIONFAILED");
        if (_authErrors >= Math.Max(1, _connection.Limits.MaxAuthErrors))
        {
            await _writer.Line("* BYE Too many authentication failures").FlushAsync(ct);
            _state = SessionState.Logout;
        }
    }

    private async ValueTask CompleteLoginAsync(string tag, MailUser user, string how, CancellationToken ct)
    {
        _mailbox = await _store.OpenMailboxAsync(user, ct);
        _user = user;
        _watch = _store.WatchChanges(user, OnChange);
        _state = SessionState.Authenticated;
        _connection.Logger.Information("{User} logged in with {Method}", user.Address, how);
        Tagged(tag, "OK", "Logged in", "CAPABILITY " + Capabilities());
    }

    private async ValueTask EnableAsync(string tag, ImapParser p, CancellationToken ct)
    {
        var enabled = new List<string>();
        do
        {
            p.Space();
            var capability = p.ReadAtom().ToUpperInvariant();
            switch (capability)
            {
                case "CONDSTORE" when !_condstore:
                    _condstore = true;
                    enabled.Add("CONDSTORE");
                    break;
                case "QRESYNC" when !_qresync:
                    _qresync = true;
                    _condstore = true;
                    enabled.Add("QRESYNC");
                    break;
                case "UTF8=ACCEPT" when !_utf8:
                    _utf8 = true;
                    _writer.Utf8 = true;
                    enabled.Add("UTF8=ACCEPT");
                    break;
                case "IMAP4REV2" when !_rev2:
                    _rev2 = true;
                    enabled.Add("IMAP4rev2");
                    break;
            }
        }
        while (p.Peek() == ' ');
        p.ExpectEnd();
        if (_selected is not null && enabled.Contains("CONDSTORE"))
        {
            _selected.HighestModSeq = (await _selected.Folder.GetStatusAsync(ct)).HighestModSeq;
        }

        _writer.Raw("* ENABLED");
        foreach (var e in enabled)
        {
            _writer.Raw(" ").Raw(e);
        }

        _writer.EndLine();
        await OkAsync(tag, "ENABLE completed", ct: ct);
    }

    private async ValueTask CompressAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var algorithm = p.ReadAtom();
        p.ExpectEnd();
        if (_compressed)
        {
            Tagged(tag, "NO", "Compression is already active", "COMPRESSIONACTIVE");
            return;
        }

        if (!_options.EnableCompress || !algorithm.Equals("DEFLATE", StringComparison.OrdinalIgnoreCase))
        {
            throw new ImapParseException("Unsupported compression mechanism");
        }

        Tagged(tag, "OK", "DEFLATE active");
        await _writer.FlushAsync(ct);
        var transport = _connection.Transport;
        var inflate = new DeflateStream(transport.Input.AsStream(leaveOpen: true), CompressionMode.Decompress);
        _input = PipeReader.Create(inflate, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024));
        var deflate = new FlushingDeflateStream(transport.Output.AsStream(leaveOpen: true));
        _writer.Output = PipeWriter.Create(deflate, new StreamPipeWriterOptions(minimumBufferSize: 4096));
        _compressed = true;
    }
}
