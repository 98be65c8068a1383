using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Testing;

/// <summary>A raw-socket line client for protocol tests that can misbehave (garbage, half-close, reset) and reads lines with bounded waits.</summary>
public sealed class RawLineClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private Stream _stream;
    private int _start;
    private int _end;

    private RawLineClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>The socket, for tests that need to set options on it.</summary>
    public Socket Socket => _socket;

    /// <summary>Connects to a loopback port.</summary>
    public static async Task<RawLineClient> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        return new RawLineClient(socket);
    }

    /// <summary>Sends bytes; fails when the server has gone.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        await _stream.WriteAsync(bytes, timeout.Token);
        await _stream.FlushAsync(timeout.Token);
    }

    /// <summary>Sends text as UTF-8.</summary>
    public Task SendAsync(string text, CancellationToken cancellationToken) => SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Sends a line with CRLF.</summary>
    public Task SendLineAsync(string line, CancellationToken cancellationToken) => SendAsync(line + "\r\n", cancellationToken);

    /// <summary>Reads one line without its line end; null on end of stream or reset; throws <see cref="TimeoutException"/> when nothing comes.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken, TimeSpan? wait = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait ?? DefaultTimeout);
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                return line;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new InvalidOperationException("the server sent a line longer than the client's buffer");
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("the server neither answered nor closed in time");
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _end += read;
        }
    }

    /// <summary>Reads lines until the server closes; throws <see cref="TimeoutException"/> when it does not close within <paramref name="wait"/>.</summary>
    public async Task<List<string>> ReadUntilClosedAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException("the server did not close the connection; it sent:\n" + string.Join('\n', lines.TakeLast(10)));
            }

            var line = await ReadLineAsync(cancellationToken, left);
            if (line is null)
            {
                return lines;
            }

            lines.Add(line);
        }
    }

    /// <summary>Sends <paramref name="count"/> copies of one byte in 64 KB writes.</summary>
    public async Task SendRepeatedAsync(byte value, int count, CancellationToken cancellationToken)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, value);
        for (var sent = 0; sent < count; sent += chunk.Length)
        {
            await SendAsync(chunk.AsMemory(0, Math.Min(chunk.Length, count - sent)), cancellationToken);
        }
    }

    /// <summary>Sends and ignores a failure: the server may close first, which is what some attacks expect.</summary>
    public async Task TrySendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(bytes, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Closes the sending side, ignoring a connection the server already dropped.</summary>
    public void TryShutdownSend()
    {
        try
        {
            ShutdownSend();
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Reads raw bytes until the server closes or <paramref name="wait"/> passes.</summary>
    public async Task<List<byte>> ReadRawUntilClosedAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException)
        {
        }

        return received;
    }

    /// <summary>Closes the sending side only (FIN), keeping the receiving side open.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Drops the connection with a TCP reset, as a crashed client or a middlebox would.</summary>
    public void Reset()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>Starts client TLS on the connection, accepting any certificate.</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        var tls = new SslStream(new NetworkStream(_socket, ownsSocket: false), leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate is not null);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mail.example.test" }, timeout.Token);
        _stream = tls;
        _start = _end = 0;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _stream.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
        }

        _socket.Dispose();
    }
}
