using System.Net.Sockets;
using System.Text;

namespace Extensible.Pop3.Tests;

/// <summary>A bare POP3 client over a real socket, for what libraries hide: pipelining, exact bytes, raw errors.</summary>
public sealed class RawPop3Client : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public static async Task<RawPop3Client> ConnectAsync(int port, CancellationToken cancellationToken)
    {
        var client = new RawPop3Client();
        await client._tcp.ConnectAsync("127.0.0.1", port, cancellationToken);
        client._stream = client._tcp.GetStream();
        return client;
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Reads one line without CRLF as Latin-1, or null at end of stream; lines are capped at 1 MB.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new MemoryStream();
        while (line.Length < 1024 * 1024)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                {
                    return line.Length == 0 ? null : Encoding.Latin1.GetString(line.ToArray());
                }
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline < 0)
            {
                line.Write(_buffer, _start, _end - _start);
                _start = _end;
                continue;
            }

            line.Write(_buffer, _start, newline - _start);
            _start = newline + 1;
            return Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
        }

        throw new InvalidDataException("line longer than 1 MB");
    }

    /// <summary>Reads raw bytes into <paramref name="target"/>, serving buffered input first.</summary>
    public async Task<int> ReadAsync(Memory<byte> target, CancellationToken cancellationToken)
    {
        if (_start < _end)
        {
            var count = Math.Min(target.Length, _end - _start);
            _buffer.AsMemory(_start, count).CopyTo(target);
            _start += count;
            return count;
        }

        return await _stream.ReadAsync(target, cancellationToken);
    }

    public async Task<string?> CommandAsync(string line, CancellationToken cancellationToken)
    {
        await SendAsync(line + "\r\n", cancellationToken);
        return await ReadLineAsync(cancellationToken);
    }

    public async Task<List<string>> ReadBodyAsync(CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        for (var i = 0; i < 1_000_000; i++)
        {
            var line = await ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("closed in a multi-line reply");
            if (line == ".")
            {
                return lines;
            }

            lines.Add(line);
        }

        throw new InvalidDataException("multi-line reply too long");
    }

    public async ValueTask DisposeAsync()
    {
        await Task.CompletedTask;
        _tcp.Dispose();
    }
}
