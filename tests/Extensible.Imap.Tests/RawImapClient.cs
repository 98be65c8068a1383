using System.Net.Sockets;
using System.Text;

namespace Extensible.Imap.Tests;

/// <summary>A byte-exact IMAP client for transcript tests: sends lines as given, reads lines and literals with a timeout.</summary>
internal sealed class RawImapClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;
    private readonly MemoryStream _pending = new();
    private readonly byte[] _buffer = new byte[64 * 1024];

    public static async Task<RawImapClient> ConnectAsync(int port)
    {
        var client = new RawImapClient();
        await client._tcp.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
        client._stream = client._tcp.GetStream();
        return client;
    }

    public async Task SendAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), TestContext.Current.CancellationToken);
    }

    public async Task SendBytesAsync(byte[] data) => await _stream.WriteAsync(data, TestContext.Current.CancellationToken);

    /// <summary>Reads one line (without CRLF), or null when the server closed.</summary>
    public async Task<string?> ReadLineAsync(int timeoutMs = 10000)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeoutMs);
        while (true)
        {
            var data = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
            var lf = data.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(data[..lf]).TrimEnd('\r');
                Consume(lf + 1);
                return line;
            }

            var n = await _stream.ReadAsync(_buffer, cts.Token);
            if (n == 0)
            {
                return null;
            }

            _pending.Write(_buffer, 0, n);
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReadBytesAsync(int count, int timeoutMs = 10000)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeoutMs);
        while (_pending.Length < count)
        {
            var n = await _stream.ReadAsync(_buffer, cts.Token);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            _pending.Write(_buffer, 0, n);
        }

        var result = _pending.GetBuffer().AsSpan(0, count).ToArray();
        Consume(count);
        return result;
    }

    /// <summary>Reads lines until the tagged reply of <paramref name="tag"/>, returning them all (the tagged one last).</summary>
    public async Task<List<string>> ReadUntilTaggedAsync(string tag, int maxLines = 10000)
    {
        var lines = new List<string>();
        for (var i = 0; i < maxLines; i++)
        {
            var line = await ReadLineAsync() ?? throw new EndOfStreamException("closed; got: " + string.Join(" | ", lines));
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }

        throw new InvalidOperationException("no tagged reply");
    }

    /// <summary>Sends a command line and returns every line up to and including its tagged reply.</summary>
    public async Task<List<string>> CommandAsync(string tag, string command)
    {
        await SendAsync(tag + " " + command + "\r\n");
        return await ReadUntilTaggedAsync(tag);
    }

    private void Consume(int count)
    {
        var rest = _pending.GetBuffer().AsSpan(count, (int)_pending.Length - count).ToArray();
        _pending.SetLength(0);
        _pending.Write(rest);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
