using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Extensible.Host.Tests.Networking;

/// <summary>A minimal CRLF line client over a real socket, optionally upgraded to TLS; every read is bounded by a timeout.</summary>
internal sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private Stream _stream;
    private readonly List<byte> _pending = [];

    private LineClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint, byte[]? preamble = null)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, TestContext.Current.CancellationToken);
            var client = new LineClient(socket);
            if (preamble is not null)
            {
                await client._stream.WriteAsync(preamble, TestContext.Current.CancellationToken);
            }

            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Task<LineClient> ConnectAsync(int port) => ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));

    public async Task StartTlsAsync(SslProtocols protocols = SslProtocols.None)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = protocols,
            // The host generates a self-signed certificate for tests: accept any certificate it presents.
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
        }, timeout.Token);
        _stream = tls;
        _pending.Clear();
    }

    public SslProtocols TlsProtocol => (_stream as SslStream)?.SslProtocol ?? SslProtocols.None;

    public async Task WriteLineAsync(string line)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), TestContext.Current.CancellationToken);
        await _stream.FlushAsync(TestContext.Current.CancellationToken);
    }

    public async Task WriteAsync(byte[] bytes) => await _stream.WriteAsync(bytes, TestContext.Current.CancellationToken);

    /// <summary>The next line without CRLF, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? DefaultTimeout);
        var buffer = new byte[1024];
        while (true)
        {
            var end = _pending.IndexOf((byte)'\n');
            if (end >= 0)
            {
                var line = Encoding.ASCII.GetString(_pending.Take(end).ToArray()).TrimEnd('\r');
                _pending.RemoveRange(0, end + 1);
                return line;
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, cts.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Reads raw bytes (for TLS record checks); returns what came, empty at end of stream.</summary>
    public async Task<byte[]> ReadRawAsync(int max, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        var buffer = new byte[max];
        try
        {
            var read = await _stream.ReadAsync(buffer, cts.Token);
            return buffer[..read];
        }
        catch (IOException)
        {
            return [];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }
}
