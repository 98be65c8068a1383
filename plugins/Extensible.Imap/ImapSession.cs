using System.Collections.Concurrent;
using System.IO.Pipelines;
using Extensible.Imap.Protocol;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Imap;

/// <summary>The state of one IMAP connection (RFC 9051 section 3).</summary>
internal enum SessionState
{
    NotAuthenticated,
    Authenticated,
    Selected,
    Logout,
}

/// <summary>One IMAP connection: reads commands, runs them against the user's mailbox and writes responses.</summary>
internal sealed partial class ImapSession : IAsyncDisposable
{
    private readonly MailConnectionContext _connection;
    private readonly string _serverName;
    private readonly ImapOptions _options;
    private readonly IMessageStore _store;
    private readonly IUserDirectory _users;
    private readonly Mime.MessageCache _cache;
    private readonly RecentRegistry _recent;
    private readonly ImapWriter _writer;
    private readonly CommandReader _reader;
    private readonly ConcurrentQueue<MailboxChange> _changes = new();
    private readonly ChangeSignal _signal = new();
    private SessionState _state = SessionState.NotAuthenticated;
    private MailUser? _user;
    private IMailbox? _mailbox;
    private IDisposable? _watch;
    private SelectedMailbox? _selected;
    private int _errors;
    private int _authErrors;
    private bool _condstore;
    private bool _qresync;
    private bool _utf8;
    private bool _rev2;
    private HashSet<uint>? _saved;
    private PipeReader? _input;
    private bool _compressed;

    /// <summary>Creates a session over an accepted connection.</summary>
    public ImapSession(MailConnectionContext connection, string serverName, ImapOptions options, IMessageStore store, IUserDirectory users, Mime.MessageCache cache, RecentRegistry recent)
    {
        _cache = cache;
        _recent = recent;
        _connection = connection;
        _serverName = serverName;
        _options = options;
        _store = store;
        _users = users;
        _writer = new ImapWriter(connection.Transcript)
        {
            Output = connection.Transport.Output,
            StallTimeout = options.AutoLogout > 0 ? TimeSpan.FromSeconds(options.AutoLogout) : Timeout.InfiniteTimeSpan,
            Stalled = () => connection.Abort($"the client read no responses for {options.AutoLogout} s"),
        };
        _reader = new CommandReader(options, connection.Transcript);
    }

    private PipeReader Input => _input ?? _connection.Transport.Input;

    private bool PlainTextAllowed => _connection.IsSecure || _options.PlainConnAllowLogin;

    /// <summary>Serves the connection until LOGOUT, an unrecoverable error or the peer goes away.</summary>
    public async Task RunAsync()
    {
        var ct = _connection.ConnectionClosed;
        try
        {
            await _writer.Raw("* OK [CAPABILITY ").Raw(Capabilities()).Raw("] ").Raw(_serverName).Raw(" IMAP4rev1/IMAP4rev2 service ready").EndLine().FlushAsync(ct);
            using var autologout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            while (_state != SessionState.Logout)
            {
                var seconds = _state == SessionState.NotAuthenticated ? _options.LoginTimeout : _options.AutoLogout;
                autologout.CancelAfter(seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan);
                ReadOutcome outcome;
                try
                {
                    outcome = await _reader.ReadAsync(() => Input, _writer, _state != SessionState.NotAuthenticated, autologout.Token);
                }
                catch (OperationCanceledException) when (autologout.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    // RFC 9051 5.4: the inactivity autologout timer expired.
                    await _writer.Line("* BYE Autologout; idle for too long").FlushAsync(ct);
                    _connection.Logger.Information("Autologout after {Seconds} s without a command", seconds);
                    return;
                }

                autologout.CancelAfter(Timeout.InfiniteTimeSpan);
                switch (outcome.Kind)
                {
                    case ReadOutcomeKind.EndOfInput:
                        return;
                    case ReadOutcomeKind.LineTooLong:
                        await _writer.Line("* BAD [TOOBIG] Command line too long").FlushAsync(ct);
                        if (await CountErrorAsync(ct))
                        {
                            return;
                        }

                        continue;
                    case ReadOutcomeKind.LiteralRefused:
                        await _writer.Raw(outcome.Tag ?? "*").Raw(outcome.Tag is null ? " BAD [TOOBIG] " : " NO [TOOBIG] ").Raw(outcome.Message ?? "Literal too large").EndLine().FlushAsync(ct);
                        if (await CountErrorAsync(ct))
                        {
                            return;
                        }

                        continue;
                    case ReadOutcomeKind.Unrecoverable:
                        await _writer.Line("* BYE [TOOBIG] " + (outcome.Message ?? "Literal too large")).FlushAsync(ct);
                        _connection.Logger.Information("Closing: non-synchronizing literal over the limit");
                        return;
                }

                using var command = outcome.Command!;
                await ExecuteAsync(command, ct);
                await _writer.FlushAsync(ct);
                if (_errors >= Math.Max(1, _connection.Limits.MaxErrors))
                {
                    await _writer.Line("* BYE Too many protocol errors").FlushAsync(ct);
                    _connection.Logger.Information("Closing after {Errors} protocol errors", _errors);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The peer went away, the idle timeout passed or the service stops.
        }
        catch (EndOfStreamException)
        {
            // The peer closed inside a literal.
        }
        catch (IOException ex)
        {
            _connection.Logger.Debug(ex, "Connection I/O error");
        }
        catch (System.Security.Authentication.AuthenticationException ex)
        {
            // STARTTLS: the host closed the connection after a failed handshake and logged why.
            _connection.Logger.Debug(ex, "TLS handshake failed");
        }
        catch (InvalidOperationException ex) when (ct.IsCancellationRequested)
        {
            _connection.Logger.Debug(ex, "Pipe completed while closing");
        }
    }

    private async ValueTask<bool> CountErrorAsync(CancellationToken ct)
    {
        _errors++;
        if (_errors < Math.Max(1, _connection.Limits.MaxErrors))
        {
            return false;
        }

        await _writer.Line("* BYE Too many protocol errors").FlushAsync(ct);
        _connection.Logger.Information("Closing after {Errors} protocol errors", _errors);
        return true;
    }

    /// <summary>Releases the folder, the mailbox and the change subscription.</summary>
    public async ValueTask DisposeAsync()
    {
        _watch?.Dispose();
        if (_selected is not null)
        {
            await _selected.Folder.DisposeAsync();
            _selected = null;
        }

        if (_mailbox is not null)
        {
            await _mailbox.DisposeAsync();
        }

        if (_compressed && _input is not null)
        {
            await _input.CompleteAsync();
        }
    }

    private void OnChange(MailboxChange change)
    {
        _changes.Enqueue(change);
        _signal.Set();
    }
}
