using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Bench.Imap;

/// <summary>A minimal IMAP client for load: one command at a time, literals skipped, latency recorded per command.</summary>
internal sealed class BenchClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private int _tag;

    private BenchClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<BenchClient> ConnectAsync(IPEndPoint server, IPAddress? local, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (local is not null)
        {
            socket.Bind(new IPEndPoint(local, 0));
        }

        await socket.ConnectAsync(server, ct);
        var client = new BenchClient(socket);
        await client.ReadLineAsync(ct);
        return client;
    }

    /// <summary>Sends a command and reads to its tagged reply; returns the status word and records the latency.</summary>
    public async Task<string> CommandAsync(string command, List<double> latencies, CancellationToken ct, string? literal = null)
    {
        var tag = "t" + (++_tag);
        var clock = Stopwatch.StartNew();
        if (literal is null)
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(tag + " " + command + "\r\n"), ct);
        }
        else
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes($"{tag} {command} {{{Encoding.UTF8.GetByteCount(literal)}+}}\r\n{literal}\r\n"), ct);
        }

        while (true)
        {
            var line = await ReadLineAsync(ct) ?? throw new IOException("server closed");
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                var status = line.Split(' ')[1];
                return status;
            }
        }
    }

    /// <summary>Sends IDLE and waits for the continuation.</summary>
    public async Task IdleAsync(CancellationToken ct)
    {
        await _stream.WriteAsync("i IDLE\r\n"u8.ToArray(), ct);
        var line = await ReadLineAsync(ct);
        if (line is null || !line.StartsWith('+'))
        {
            throw new IOException("IDLE refused: " + line);
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                _start = lf + 1;
                if (line.EndsWith('}') && line.LastIndexOf('{') is var open and >= 0
                    && long.TryParse(line.AsSpan(open + 1, line.Length - open - 2), out var skip))
                {
                    await SkipAsync(skip, ct);
                }

                return line;
            }

            await FillAsync(ct);
            if (_end == _start)
            {
                return null;
            }
        }
    }

    private async Task SkipAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_end == _start)
            {
                await FillAsync(ct);
                if (_end == _start)
                {
                    throw new IOException("closed inside literal");
                }
            }

            var take = (int)Math.Min(count, _end - _start);
            _start += take;
            count -= take;
        }
    }

    private async Task FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new IOException("line too long for bench buffer");
        }

        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        _end += n;
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
