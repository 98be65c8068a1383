using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Extensible.SmtpSending.Tests.Support;

/// <summary>A minimal SMTP server on 127.0.0.1:0 with chosen EHLO extensions, scripted replies, and a record of what it received.</summary>
internal sealed class ScriptedSmtpPeer : IAsyncDisposable
{
    private const int MaxLine = 8192;
    private const long MaxData = 4 * 1024 * 1024;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _sessions = [];
    private readonly Task _acceptLoop;
    private int _connections;
    private int _active;
    private int _peak;

    private ScriptedSmtpPeer(IReadOnlyList<string> extensions)
    {
        Extensions = extensions;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>The EHLO extensions advertised (for example <c>8BITMIME</c>, <c>DSN</c>, <c>AUTH PLAIN</c>).</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>When set, STARTTLS is offered with this certificate.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>The port.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Most sessions open at the same time.</summary>
    public int PeakConcurrent => Volatile.Read(ref _peak);

    /// <summary>Messages accepted, in order.</summary>
    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    /// <summary>Reply to RCPT for an address, or null for 250.</summary>
    public Func<string, string?> RcptReply { get; set; } = _ => null;

    /// <summary>Reply after the data, or null for 250.</summary>
    public string? DataReply { get; set; }

    /// <summary>When set, the peer waits for it before answering the end of data (to hold sessions open).</summary>
    public TaskCompletionSource? DataGate { get; set; }

    /// <summary>Raised when a session reaches the end of data (before <see cref="DataGate"/>).</summary>
    public SemaphoreSlim DataReached { get; } = new(0);

    /// <summary><c>user:password</c> AUTH PLAIN must present; null when AUTH is not required.</summary>
    public string? RequiredLogin { get; set; }

    /// <summary>Logins that succeeded.</summary>
    public ConcurrentQueue<string> Logins { get; } = new();

    /// <summary>Starts a peer advertising the extensions.</summary>
    public static ScriptedSmtpPeer Start(params string[] extensions) => new(extensions);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        DataGate?.TrySetResult();
        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.WhenAll(_sessions).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _sessions.Add(Task.Run(() => SessionAsync(client)));
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        var active = Interlocked.Increment(ref _active);
        int peak;
        while (active > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, active, peak) != peak)
        {
        }

        try
        {
            using (client)
            {
                Stream stream = client.GetStream();
                var reader = new LineReader(stream);
                var secure = false;
                var token = _stop.Token;
                await WriteAsync(stream, "220 peer.test ESMTP scripted", token);
                string? mailFrom = null;
                var rcpts = new List<string>();
                while (await reader.ReadLineAsync(token) is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                            var lines = new List<string> { "peer.test hello" };
                            lines.AddRange(Extensions);
                            if (Certificate is not null && !secure)
                            {
                                lines.Add("STARTTLS");
                            }

                            for (var i = 0; i < lines.Count; i++)
                            {
                                await WriteAsync(stream, (i == lines.Count - 1 ? "250 " : "250-") + lines[i], token);
                            }

                            break;
                        case "STARTTLS" when Certificate is not null && !secure:
                            await WriteAsync(stream, "220 2.0.0 go ahead", token);
                            var tls = new SslStream(stream);
                            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate }, token);
                            stream = tls;
                            reader = new LineReader(stream);
                            secure = true;
                            break;
                        case "HELO" or "NOOP":
                            await WriteAsync(stream, "250 ok", token);
                            break;
                        case "AUTH":
                            await AuthAsync(stream, reader, line, token);
                            break;
                        case "MAIL":
                            mailFrom = line;
                            rcpts.Clear();
                            await WriteAsync(stream, "250 2.1.0 ok", token);
                            break;
                        case "RCPT":
                            var address = Between(line, '<', '>');
                            var reply = RcptReply(address);
                            if (reply is null)
                            {
                                rcpts.Add(line);
                            }

                            await WriteAsync(stream, reply ?? "250 2.1.5 ok", token);
                            break;
                        case "DATA":
                            if (mailFrom is null || rcpts.Count == 0)
                            {
                                await WriteAsync(stream, "503 5.5.1 no valid recipients", token);
                                break;
                            }

                            await WriteAsync(stream, "354 go ahead", token);
                            var data = await reader.ReadDataAsync(token);
                            DataReached.Release();
                            if (DataGate is { } gate)
                            {
                                await gate.Task.WaitAsync(token);
                            }

                            if (DataReply is null)
                            {
                                Messages.Enqueue(new ReceivedMessage(mailFrom, [.. rcpts], data, secure));
                            }

                            await WriteAsync(stream, DataReply ?? "250 2.0.0 queued as scripted", token);
                            mailFrom = null;
                            rcpts.Clear();
                            break;
                        case "RSET":
                            mailFrom = null;
                            rcpts.Clear();
                            await WriteAsync(stream, "250 ok", token);
                            break;
                        case "QUIT":
                            await WriteAsync(stream, "221 bye", token);
                            return;
                        default:
                            await WriteAsync(stream, "502 5.5.2 unknown command", token);
                            break;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private async Task AuthAsync(Stream stream, LineReader reader, string line, CancellationToken token)
    {
        var parts = line.Split(' ');
        string? response = parts.Length > 2 ? parts[2] : null;
        if (parts.Length < 2 || !parts[1].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
        {
            await WriteAsync(stream, "504 5.5.4 only PLAIN", token);
            return;
        }

        if (response is null)
        {
            await WriteAsync(stream, "334 ", token);
            response = await reader.ReadLineAsync(token) ?? "";
        }

        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(response)).Split('\0');
        var login = decoded.Length == 3 ? $"{decoded[1]}:{decoded[2]}" : "";
        if (RequiredLogin is null || login == RequiredLogin)
        {
            Logins.Enqueue(decoded.Length == 3 ? decoded[1] : "");
            await WriteAsync(stream, "235 2.7.0 authenticated", token);
        }
        else
        {
            await WriteAsync(stream, "535 5.7.8 bad credentials", token);
        }
    }

    private static string Between(string line, char open, char close)
    {
        var start = line.IndexOf(open, StringComparison.Ordinal);
        var end = line.IndexOf(close, start + 1);
        return start < 0 || end < 0 ? "" : line[(start + 1)..end];
    }

    private static async Task WriteAsync(Stream stream, string line, CancellationToken token) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), token);

    /// <summary>A message the peer accepted.</summary>
    /// <param name="MailFrom">The MAIL command line.</param>
    /// <param name="Rcpts">The accepted RCPT command lines.</param>
    /// <param name="Data">The content, dot-unstuffed, without the final dot line.</param>
    /// <param name="Secure">True when it came over TLS.</param>
    internal sealed record ReceivedMessage(string MailFrom, IReadOnlyList<string> Rcpts, byte[] Data, bool Secure)
    {
        /// <summary>The content as Latin-1, for byte-exact checks.</summary>
        public string Text => Encoding.Latin1.GetString(Data);
    }

    /// <summary>Reads CRLF lines and DATA from a socket, bounded in line and message size.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16384];
        private int _start;
        private int _end;

        public async Task<string?> ReadLineAsync(CancellationToken token)
        {
            var bytes = await ReadRawLineAsync(token);
            return bytes is null ? null : Encoding.UTF8.GetString(bytes);
        }

        public async Task<byte[]> ReadDataAsync(CancellationToken token)
        {
            using var data = new MemoryStream();
            while (await ReadRawLineAsync(token) is { } line)
            {
                if (line is [(byte)'.'])
                {
                    return data.ToArray();
                }

                var start = line is [(byte)'.', ..] ? 1 : 0;
                data.Write(line, start, line.Length - start);
                data.Write("\r\n"u8);
                if (data.Length > MaxData)
                {
                    throw new IOException("message too large for the scripted peer");
                }
            }

            throw new IOException("connection closed during DATA");
        }

        private async Task<byte[]?> ReadRawLineAsync(CancellationToken token)
        {
            using var line = new MemoryStream();
            while (true)
            {
                for (var i = _start; i < _end; i++)
                {
                    if (_buffer[i] == (byte)'\n')
                    {
                        line.Write(_buffer, _start, i - _start);
                        _start = i + 1;
                        var result = line.ToArray();
                        return result.Length > 0 && result[^1] == (byte)'\r' ? result[..^1] : result;
                    }
                }

                line.Write(_buffer, _start, _end - _start);
                _start = _end = 0;
                if (line.Length > MaxLine)
                {
                    throw new IOException("line too long");
                }

                var read = await stream.ReadAsync(_buffer, token);
                if (read == 0)
                {
                    return null;
                }

                _end = read;
            }
        }
    }
}
