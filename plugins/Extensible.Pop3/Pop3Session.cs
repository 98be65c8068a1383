using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Extensible.Pop3.Commands;
using Extensible.Pop3.Protocol;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Storage;

namespace Extensible.Pop3;

/// <summary>One POP3 conversation (RFC 1939): reads command lines, runs them in order, and batches replies to pipelined commands.</summary>
public sealed partial class Pop3Session
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly MailConnectionContext _connection;
    private readonly Pop3Services _services;
    private PipeReader? _reader;
    private ReadOnlySequence<byte> _buffer;
    private bool _holding;
    private bool _inputCompleted;
    private bool _skipping;
    private int _errors;
    private int _authErrors;

    /// <summary>Creates a session for an accepted connection.</summary>
    public Pop3Session(MailConnectionContext connection, Pop3Services services)
    {
        _connection = connection;
        _services = services;
    }

    /// <summary>The outcome of reading one line from the client.</summary>
    public enum LineResult
    {
        /// <summary>A line was read.</summary>
        Line,

        /// <summary>The line was longer than allowed and was discarded.</summary>
        TooLong,

        /// <summary>The line was not valid UTF-8.</summary>
        BadEncoding,

        /// <summary>The client went away.</summary>
        Closed,
    }

    /// <summary>The connection this session runs on.</summary>
    public MailConnectionContext Connection => _connection;

    /// <summary>Shared services and options.</summary>
    public Pop3Services Services => _services;

    /// <summary>The options in force for this session.</summary>
    public Pop3Options Options => _services.Options;

    /// <summary>The current RFC 1939 state.</summary>
    public Pop3State State { get; private set; } = Pop3State.Authorization;

    /// <summary>The open maildrop in the TRANSACTION state, else null.</summary>
    public Pop3Maildrop? Maildrop { get; private set; }

    /// <summary>The login name given by USER, waiting for PASS.</summary>
    public string? PendingUser { get; set; }

    /// <summary>True once the session should end after flushing its replies.</summary>
    public bool IsClosing { get; private set; }

    /// <summary>True when USER/PASS and plain-text SASL are allowed on this connection now.</summary>
    public bool PlainTextLoginAllowed => _connection.IsSecure ? Options.SecureConnAllowLogin : Options.PlainConnAllowLogin;

    /// <summary>True when STLS may be offered now.</summary>
    public bool StlsAvailable => Options.AllowStartTls && !_connection.IsSecure && _connection.Listener.TlsAvailable && State == Pop3State.Authorization;

    private PipeWriter Output => _connection.Transport.Output;

    /// <summary>Greets, then serves commands until QUIT, too many errors, or the peer goes away.</summary>
    public async Task RunAsync()
    {
        var cancellationToken = _connection.ConnectionClosed;
        try
        {
            WriteLine("+OK " + FormatGreeting());
            while (!IsClosing)
            {
                var (result, line) = await ReadLineAsync(Options.MaxLineLength, cancellationToken);
                switch (result)
                {
                    case LineResult.Closed:
                        _connection.Logger.Debug("POP3 client closed the connection without QUIT");
                        return;
                    case LineResult.TooLong:
                        _connection.Transcript.Client("<line too long>");
                        Error("Line too long");
                        break;
                    case LineResult.BadEncoding:
                        _connection.Transcript.Client("<invalid UTF-8>");
                        Error("Command is not valid UTF-8");
                        break;
                    default:
                        await DispatchAsync(line!, cancellationToken);
                        break;
                }
            }

            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _connection.Logger.Debug("POP3 connection closed while serving");
        }
        catch (IOException ex)
        {
            _connection.Logger.Debug(ex, "POP3 connection lost");
        }
        catch (Exception ex)
        {
            _connection.Logger.Error(ex, "POP3 session failed");
            await TryWriteFinalAsync("-ERR " + Pop3ResponseCode.SysTemp + "Internal error, closing connection");
        }
        finally
        {
            await EndAsync();
        }
    }

    /// <summary>Writes one reply line; it is sent when the client has no further pipelined command waiting, or on <see cref="FlushAsync"/>.</summary>
    public void WriteLine(string line)
    {
        var output = Output;
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(line.Length) + 2);
        var written = Encoding.UTF8.GetBytes(line, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        output.Advance(written + 2);
        if (_connection.Transcript.IsEnabled)
        {
            _connection.Transcript.Server(line);
        }
    }

    /// <summary>Sends what was written; throws <see cref="OperationCanceledException"/> when the peer is gone or has read nothing for <see cref="Pop3Options.CommandTimeout"/>.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var flush = Output.FlushAsync(cancellationToken);
        FlushResult result;
        if (flush.IsCompleted)
        {
            result = await flush;
        }
        else
        {
            // Without a bound a client that pipelines and never reads would hold its connection forever on a listener without an idle timeout.
            var pending = flush.AsTask();
            try
            {
                result = await pending.WaitAsync(TimeSpan.FromSeconds(Math.Max(1, Options.CommandTimeout)), cancellationToken);
            }
            catch (TimeoutException)
            {
                _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                IsClosing = true;
                _connection.Abort($"the client read no replies for {Options.CommandTimeout} s");
                throw new OperationCanceledException("The peer stopped reading.", cancellationToken);
            }
        }

        if (result.IsCompleted || result.IsCanceled)
        {
            IsClosing = true;
            throw new OperationCanceledException("The peer stopped reading.", cancellationToken);
        }
    }

    /// <summary>Answers a protocol error and counts it against maxErrors; the last allowed error closes the session.</summary>
    public void Error(string text)
    {
        _errors++;
        var max = _connection.Limits.MaxErrors;
        if (max > 0 && _errors >= max)
        {
            _connection.Logger.Warning("POP3 session made {Errors} protocol errors; closing", _errors);
            WriteLine("-ERR " + Pop3ResponseCode.SysPerm + text + "; too many errors, closing connection");
            IsClosing = true;
            return;
        }

        WriteLine("-ERR " + text);
    }

    /// <summary>Answers a failed login, tells the host, and counts it against maxAuthErrors.</summary>
    public void AuthenticationFailed(string? login, string reason)
    {
        _authErrors++;
        _connection.ReportAuthenticationFailure();
        _connection.Logger.Warning("POP3 authentication failed for {Login}: {Reason}", login, reason);
        var max = _connection.Limits.MaxAuthErrors;
        if (max > 0 && _authErrors >= max)
        {
            WriteLine("-ERR " + Pop3ResponseCode.Auth + "Authentication failed; too many failures, closing connection");
            IsClosing = true;
            return;
        }

        WriteLine("-ERR " + Pop3ResponseCode.Auth + "Authentication failed");
    }

    /// <summary>Ends the session after this reply.</summary>
    public void Close() => IsClosing = true;

    /// <summary>Reads the next line of at most <paramref name="maxLength"/> bytes, flushing pending replies before waiting for input.</summary>
    /// <remarks>
    /// The whole line must arrive within <see cref="Pop3Options.CommandTimeout"/> of the first wait for it, so a client
    /// trickling a byte at a time (slowloris) is logged out; that ends the session and reads as <see cref="LineResult.Closed"/>.
    /// </remarks>
    public async ValueTask<(LineResult Result, string? Line)> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        long deadline = 0;
        while (true)
        {
            if (_holding)
            {
                if (_skipping)
                {
                    if (LineReader.SkipLine(ref _buffer))
                    {
                        _skipping = false;
                        return (LineResult.TooLong, null);
                    }
                }
                else
                {
                    var status = LineReader.TryReadLine(ref _buffer, maxLength, out var line, out var lineEndSeen);
                    switch (status)
                    {
                        case LineStatus.Complete or LineStatus.BareLineFeed:
                            try
                            {
                                return (LineResult.Line, StrictUtf8.GetString(line));
                            }
                            catch (DecoderFallbackException)
                            {
                                return (LineResult.BadEncoding, null);
                            }

                        case LineStatus.TooLong when lineEndSeen:
                            return (LineResult.TooLong, null);
                        case LineStatus.TooLong:
                            _skipping = true;
                            break;
                    }
                }

                _reader!.AdvanceTo(_buffer.Start, _buffer.End);
                _holding = false;
                if (_inputCompleted)
                {
                    return (LineResult.Closed, null);
                }
            }

            await FlushAsync(cancellationToken);
            _reader = _connection.Transport.Input;
            var now = Environment.TickCount64;
            if (deadline == 0)
            {
                deadline = now + (Math.Max(1, Options.CommandTimeout) * 1000L);
            }

            ReadResult result;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, deadline - now)));
                try
                {
                    result = await _reader.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    _connection.Logger.Information("POP3 client sent no complete line within {Seconds} s; closing", Options.CommandTimeout);
                    IsClosing = true;
                    await TryWriteFinalAsync("-ERR " + Pop3ResponseCode.SysTemp + "Autologout: no complete command in time, closing connection");
                    return (LineResult.Closed, null);
                }
            }

            if (result.IsCanceled)
            {
                _reader.AdvanceTo(result.Buffer.Start);
                return (LineResult.Closed, null);
            }

            _buffer = result.Buffer;
            _inputCompleted = result.IsCompleted;
            _holding = true;
        }
    }

    /// <summary>Releases and drops any unread input, as RFC 2595 asks before TLS starts.</summary>
    public void DiscardInput()
    {
        if (_holding)
        {
            _reader!.AdvanceTo(_buffer.End);
            _holding = false;
        }

        _skipping = false;
    }

    private async ValueTask DispatchAsync(string line, CancellationToken cancellationToken)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? line : line[..space];
        var arguments = space < 0 ? string.Empty : line[(space + 1)..];
        var command = Pop3CommandTable.Find(verb);
        if (_connection.Transcript.IsEnabled)
        {
            var secret = command?.HasSecretArguments == true && arguments.Length > 0;
            _connection.Transcript.Client(secret ? verb + " ***" : line, secret);
        }

        if (command is null)
        {
            Error("Unknown command");
            return;
        }

        if ((command.States & State) == 0)
        {
            Error(State == Pop3State.Authorization ? "Not logged in" : "Command not valid in this state");
            return;
        }

        try
        {
            await command.ExecuteAsync(this, arguments, cancellationToken);
        }
        catch (StoreException ex)
        {
            _connection.Logger.Warning(ex, "POP3 {Command} failed in the store", command.Name);
            var code = ex.Error == StoreError.Unavailable ? Pop3ResponseCode.SysTemp : Pop3ResponseCode.SysPerm;
            WriteLine("-ERR " + code + ex.Message);
        }
    }

    private string FormatGreeting()
    {
        var timestamp = $"<{_connection.ConnectionId}.{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}@{_services.ServerName}>";
        var text = Options.Greeting.Replace("%D", _services.ServerName, StringComparison.Ordinal).Replace("%U", timestamp, StringComparison.Ordinal);
        return text.ReplaceLineEndings(" ");
    }

    private async ValueTask TryWriteFinalAsync(string line)
    {
        try
        {
            WriteLine(line);
            await Output.FlushAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException or TimeoutException)
        {
            _connection.Logger.Debug(ex, "POP3 could not send the final reply");
        }
    }
}
