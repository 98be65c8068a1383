using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Users;
using Extensible.SmtpReceiving.Data;
using Extensible.SmtpReceiving.Protocol;

namespace Extensible.SmtpReceiving.Session;

/// <summary>One SMTP session: reads commands, batches replies for pipelining, spools and submits messages.</summary>
internal sealed partial class SmtpSession
{
    private const int MaxCommandLine = 2048;
    private const int MaxAuthLine = 12 * 1024;

    private readonly MailConnectionContext _connection;
    private readonly SmtpReceivingServices _services;
    private readonly SmtpReceivingOptions _options;
    private readonly SmtpListenerSettings _listener;
    private readonly CancellationTokenSource _readTimeout;
    private readonly IProtocolTranscript _transcript;
    private PipeReader _reader;
    private PipeWriter _writer;
    private bool _pendingOutput;
    private bool _closing;
    private bool _skippingLongLine;
    private long _lineDeadline;
    private int _errors;
    private int _authErrors;
    private int _messageCount;
    private string? _heloName;
    private bool _esmtp;
    private MailUser? _user;
    private SmtpTransaction? _transaction;
    private MessageSpool? _spool;
    private DataDecoder? _bdatDecoder;
    private Dictionary<string, object?>? _hookItems;

    public SmtpSession(MailConnectionContext connection, SmtpReceivingServices services, SmtpListenerSettings listener)
    {
        _connection = connection;
        _services = services;
        _options = services.Options;
        _listener = listener;
        _readTimeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        _transcript = connection.Transcript;
        _reader = connection.Transport.Input;
        _writer = connection.Transport.Output;
    }

    private CancellationToken Closed => _connection.ConnectionClosed;

    private bool PlainAuthAllowed => _connection.IsSecure || _listener.AllowPlainAuth;

    private bool RelayAllowed => _user is not null || _services.RelayNetworks.Contains(_connection.RemoteEndPoint.Address);

    /// <summary>Runs the session until QUIT, an error limit, a timeout, or the peer going away.</summary>
    public async Task RunAsync()
    {
        try
        {
            if (await OnConnectAsync())
            {
                await CommandLoopAsync();
            }

            await FlushAsync();
        }
        catch (OperationCanceledException) when (!Closed.IsCancellationRequested && _readTimeout.IsCancellationRequested)
        {
            _connection.Logger.Information("SMTP session timed out waiting for the client");
            await TryFinalReplyAsync("421 4.4.2 " + _services.ServerName + " Error: timeout exceeded, closing connection");
        }
        catch (OperationCanceledException) when (Closed.IsCancellationRequested)
        {
            _connection.Logger.Debug("SMTP session ended by the connection closing");
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _connection.Logger.Debug(ex, "SMTP session ended by a transport error");
        }
        catch (Exception ex)
        {
            _connection.Logger.Error(ex, "SMTP session failed");
            await TryFinalReplyAsync("421 4.3.0 " + _services.ServerName + " Error: internal error, closing connection");
        }
        finally
        {
            _readTimeout.Dispose();
            if (_spool is not null)
            {
                await _spool.DisposeAsync();
            }
        }
    }

    private async ValueTask<bool> OnConnectAsync()
    {
        if (_services.Hooks.Count > 0)
        {
            foreach (var hook in _services.Hooks)
            {
                var result = await hook.OnConnectAsync(HookInfo(), Closed);
                if (!result.IsContinue)
                {
                    Reply($"{result.Code} {result.EnhancedCode} {result.Text}");
                    if (result.Disconnect || result.Code / 100 == 5 || result.Code == 421)
                    {
                        return false;
                    }
                }
            }
        }

        Reply($"220 {_services.ServerName} {_options.Greeting}");
        return true;
    }

    private async Task CommandLoopAsync()
    {
        var partialLine = false;
        while (!_closing)
        {
            var result = await ReadAsync(_services.CommandTimeout, partialLine);
            var buffer = result.Buffer;
            var lineEnded = false;
            var deferred = SmtpVerb.Unknown;
            string deferredArgs = string.Empty;
            while (!_closing)
            {
                if (_skippingLongLine)
                {
                    if (!LineReader.SkipLine(ref buffer))
                    {
                        break;
                    }

                    _skippingLongLine = false;
                    lineEnded = true;
                    continue;
                }

                var status = LineReader.TryReadLine(ref buffer, MaxCommandLine, out var line, out var lineEndSeen);
                if (status == LineStatus.Incomplete)
                {
                    break;
                }

                lineEnded |= lineEndSeen;
                if (status == LineStatus.TooLong)
                {
                    _skippingLongLine = !lineEndSeen;
                    _transcript.Client("<line too long>");
                    Error("500 5.5.2 Line too long");
                    continue;
                }

                if (status == LineStatus.BareLineFeed)
                {
                    _transcript.Client("<command ended by bare LF>");
                    Error("500 5.5.2 Bare LF in command; lines end with CRLF");
                    continue;
                }

                if (!TryParseCommand(line, out var verb, out var args))
                {
                    Error("500 5.5.2 Syntax error: command is not valid UTF-8 text");
                    continue;
                }

                if (verb is SmtpVerb.Data or SmtpVerb.Bdat or SmtpVerb.Auth or SmtpVerb.StartTls)
                {
                    deferred = verb;
                    deferredArgs = args;
                    break;
                }

                await ExecuteAsync(verb, args);
            }

            if (deferred != SmtpVerb.Unknown)
            {
                // Commands that read further input own the reader from here; unread input stays in the pipe.
                _reader.AdvanceTo(buffer.Start);
                await ExecuteReadingCommandAsync(deferred, deferredArgs);
                partialLine = false;
                continue;
            }

            // Only a line still unfinished after a read that ended none keeps its deadline; a finished command starts a new one.
            partialLine = !lineEnded && (!buffer.IsEmpty || _skippingLongLine);
            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                _connection.Logger.Debug("Client closed the connection without QUIT");
                return;
            }
        }
    }

    private bool TryParseCommand(in ReadOnlySequence<byte> line, out SmtpVerb verb, out string args)
    {
        Span<byte> copy = stackalloc byte[MaxCommandLine];
        scoped ReadOnlySpan<byte> span;
        if (line.IsSingleSegment)
        {
            span = line.FirstSpan;
        }
        else
        {
            line.CopyTo(copy);
            span = copy[..(int)line.Length];
        }

        var space = span.IndexOf((byte)' ');
        var word = space < 0 ? span : span[..space];
        verb = SmtpVerbs.Parse(word);
        var rest = space < 0 ? ReadOnlySpan<byte>.Empty : span[(space + 1)..];
        if (!Utf8.IsValid(span) || span.IndexOfAnyInRange((byte)0, (byte)8) >= 0 || span.IndexOfAnyInRange((byte)10, (byte)31) >= 0)
        {
            _transcript.Client("<invalid command bytes>");
            args = string.Empty;
            return false;
        }

        args = rest.IsEmpty ? string.Empty : Encoding.UTF8.GetString(rest).Trim(' ');
        if (_transcript.IsEnabled)
        {
            if (verb == SmtpVerb.Auth)
            {
                _transcript.Client(Encoding.UTF8.GetString(word) + " " + args.Split(' ')[0] + " ***", redact: true);
            }
            else
            {
                _transcript.Client(Encoding.UTF8.GetString(span));
            }
        }

        return true;
    }

    private async ValueTask ExecuteAsync(SmtpVerb verb, string args)
    {
        switch (verb)
        {
            case SmtpVerb.Ehlo:
                await HeloAsync(args, extended: true);
                break;
            case SmtpVerb.Helo:
                await HeloAsync(args, extended: false);
                break;
            case SmtpVerb.Mail:
                await MailAsync(args);
                break;
            case SmtpVerb.Rcpt:
                await RcptAsync(args);
                break;
            case SmtpVerb.Rset:
                await ResetTransactionAsync();
                Reply("250 2.0.0 Ok");
                break;
            case SmtpVerb.Noop:
                Reply("250 2.0.0 Ok");
                break;
            case SmtpVerb.Quit:
                Reply($"221 2.0.0 {_services.ServerName} Bye");
                _closing = true;
                break;
            case SmtpVerb.Vrfy:
                Reply("252 2.5.0 Cannot VRFY user; send some mail and it will be delivered if possible");
                break;
            case SmtpVerb.Expn:
                Error("502 5.5.1 EXPN not available");
                break;
            case SmtpVerb.Help:
                Reply("214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY STARTTLS AUTH HELP");
                break;
            default:
                Error("500 5.5.1 Command unrecognized");
                break;
        }
    }

    private async ValueTask ExecuteReadingCommandAsync(SmtpVerb verb, string args)
    {
        switch (verb)
        {
            case SmtpVerb.Data:
                await DataAsync(args);
                break;
            case SmtpVerb.Bdat:
                await BdatAsync(args);
                break;
            case SmtpVerb.Auth:
                await AuthAsync(args);
                break;
            case SmtpVerb.StartTls:
                await StartTlsAsync(args);
                break;
        }
    }

    /// <summary>Flushes batched replies, then waits for input with a timeout.</summary>
    /// <remarks>
    /// With <paramref name="continuesLine"/> the wait shares the deadline of the line already begun, so a client
    /// trickling a byte at a time (slowloris) cannot stretch one command line past the timeout.
    /// </remarks>
    private async ValueTask<ReadResult> ReadAsync(TimeSpan timeout, bool continuesLine = false)
    {
        await FlushAsync();
        var now = Environment.TickCount64;
        if (!continuesLine)
        {
            _lineDeadline = now + (long)timeout.TotalMilliseconds;
        }

        _readTimeout.CancelAfter(TimeSpan.FromMilliseconds(Math.Max(1, _lineDeadline - now)));
        var result = await _reader.ReadAsync(_readTimeout.Token);
        _readTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
        return result;
    }

    /// <summary>Reads one CRLF line (AUTH continuations); null when the client went away or sent something unusable.</summary>
    private async ValueTask<string?> ReadLineAsync(int maxLength)
    {
        var partialLine = false;
        while (true)
        {
            var result = await ReadAsync(_services.CommandTimeout, partialLine);
            var buffer = result.Buffer;
            var status = LineReader.TryReadLine(ref buffer, maxLength, out var line, out var lineEndSeen);
            if (status == LineStatus.Incomplete)
            {
                partialLine = !buffer.IsEmpty;
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    _closing = true;
                    return null;
                }

                continue;
            }

            string? text = null;
            if (status == LineStatus.Complete && Utf8.IsValid(line.IsSingleSegment ? line.FirstSpan : line.ToArray()))
            {
                text = Encoding.UTF8.GetString(line);
            }
            else
            {
                _skippingLongLine = status == LineStatus.TooLong && !lineEndSeen;
            }

            _reader.AdvanceTo(buffer.Start);
            return text;
        }
    }

    private ValueTask FlushAsync()
    {
        if (!_pendingOutput)
        {
            return ValueTask.CompletedTask;
        }

        _pendingOutput = false;
        var flush = _writer.FlushAsync(Closed);
        return flush.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitFlushAsync(flush);
    }

    /// <summary>Waits for replies the socket did not take at once; a client that reads none for CommandTimeout is dropped.</summary>
    /// <remarks>Without this a client that pipelines and never reads would hold its connection forever on a listener without an idle timeout.</remarks>
    private async ValueTask AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        var pending = flush.AsTask();
        try
        {
            await pending.WaitAsync(_services.CommandTimeout, Closed);
        }
        catch (TimeoutException)
        {
            _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _connection.Abort($"the client read no replies for {_services.CommandTimeout.TotalSeconds} s");
            throw new OperationCanceledException(Closed);
        }
    }

    private async ValueTask TryFinalReplyAsync(string line)
    {
        try
        {
            Reply(line);
            await FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            _connection.Logger.Debug(ex, "Could not send the final reply");
        }
    }

    /// <summary>Queues one reply line (CRLF added); sent at the next flush.</summary>
    private void Reply(string line)
    {
        var length = Encoding.UTF8.GetMaxByteCount(line.Length) + 2;
        var span = _writer.GetSpan(length);
        var written = Encoding.UTF8.GetBytes(line, span);
        span[written] = (byte)'\r';
        span[written + 1] = (byte)'\n';
        _writer.Advance(written + 2);
        _pendingOutput = true;
        _transcript.Server(line);
    }

    /// <summary>Queues a constant reply (CRLF included) without encoding it again.</summary>
    private void Reply(ReadOnlySpan<byte> lineWithCrlf)
    {
        _writer.Write(lineWithCrlf);
        _pendingOutput = true;
        if (_transcript.IsEnabled)
        {
            _transcript.Server(Encoding.UTF8.GetString(lineWithCrlf[..^2]));
        }
    }

    /// <summary>Replies with an error that counts toward maxErrors; past the limit the connection is closed with 421.</summary>
    private void Error(string line)
    {
        Reply(line);
        _errors++;
        var max = _connection.Limits.MaxErrors;
        if (max > 0 && _errors >= max && !_closing)
        {
            _connection.Logger.Warning("Closing SMTP session after {Errors} errors", _errors);
            Reply($"421 4.7.0 {_services.ServerName} Too many errors, closing connection");
            _closing = true;
        }
    }

    private SmtpSessionInfo HookInfo()
    {
        return new SmtpSessionInfo
        {
            Items = _hookItems ??= [],
            ConnectionId = _connection.ConnectionId,
            ClientAddress = _connection.RemoteEndPoint.Address,
            Listener = _connection.Listener.Name,
            HeloName = _heloName,
            AuthenticatedUser = _user,
            Secure = _connection.IsSecure,
            MailFrom = _transaction?.MailFrom,
        };
    }

    /// <summary>Runs a hook stage; replies and returns false when a hook refuses.</summary>
    private async ValueTask<bool> RunHooksAsync(Func<ISmtpHook, SmtpSessionInfo, ValueTask<SmtpHookResult>> stage)
    {
        if (_services.Hooks.Count == 0)
        {
            return true;
        }

        var info = HookInfo();
        foreach (var hook in _services.Hooks)
        {
            var result = await stage(hook, info);
            if (!result.IsContinue)
            {
                Reply($"{result.Code} {result.EnhancedCode} {result.Text}");
                if (result.Disconnect)
                {
                    _closing = true;
                }

                return false;
            }
        }

        return true;
    }

    private async ValueTask ResetTransactionAsync()
    {
        _transaction = null;
        _bdatDecoder = null;
        if (_spool is not null)
        {
            await _spool.ResetAsync();
        }
    }
}
