using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Smtp.Tests.Support;

/// <summary>A line-level client on a raw socket for transcript tests; every read is bounded by a timeout.</summary>
internal sealed class RawSmtpClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);
    private readonly TcpClient _tcp;
    private Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawSmtpClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawSmtpClient> ConnectAsync(int port, CancellationToken cancellationToken, bool implicitTls = false)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        var client = new RawSmtpClient(tcp);
        if (implicitTls)
        {
            await client.StartTlsAsync(cancellationToken);
        }

        return client;
    }

    public async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        var tls = new SslStream(_tcp.GetStream(), leaveInnerStreamOpen: true, (_, certificate, _, _) => certificate is not null);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "mx.example.test" }, cancellationToken);
        _stream = tls;
        _start = _end = 0;
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken) =>
        await SendAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(bytes, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one complete reply (all continuation lines); null when the server closed the connection.</summary>
    public async Task<string?> ReadReplyAsync(CancellationToken cancellationToken)
    {
        var lines = new StringBuilder();
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return lines.Length == 0 ? null : lines.ToString();
            }

            lines.Append(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return lines.ToString();
            }

            lines.Append('\n');
        }
    }

    /// <summary>Sends a command and returns its reply.</summary>
    public async Task<string?> CommandAsync(string line, CancellationToken cancellationToken)
    {
        await SendAsync(line + "\r\n", cancellationToken);
        return await ReadReplyAsync(cancellationToken);
    }

    /// <summary>True when the server closed the connection (reads nothing more within the timeout).</summary>
    public async Task<bool> IsClosedAsync(CancellationToken cancellationToken) => await ReadLineAsync(cancellationToken) is null;

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
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

            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), timeout.Token);
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

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
