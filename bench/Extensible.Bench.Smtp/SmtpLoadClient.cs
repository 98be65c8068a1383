using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Bench.Smtp;

/// <summary>One generator session: connects, sends its share of messages, and records each message's latency.</summary>
internal sealed class SmtpLoadClient(BenchOptions options, byte[][] transactions, byte[] body)
{
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Takes message numbers from <paramref name="next"/> until <paramref name="total"/>; returns latencies in microseconds.</summary>
    public async Task<List<double>> RunAsync(Func<int> next, int total, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        while (true)
        {
            var first = next();
            if (first >= total)
            {
                return latencies;
            }

            var started = Stopwatch.GetTimestamp();
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(options.Host, options.Port, cancellationToken);
            _start = _end = 0;
            await ExpectAsync(socket, '2', cancellationToken);
            await SendAsync(socket, Encoding.ASCII.GetBytes("EHLO bench.client\r\n"), cancellationToken);
            await ExpectAsync(socket, '2', cancellationToken);
            var number = first;
            for (var k = 0; k < options.PerConnection && number < total; k++)
            {
                if (k > 0)
                {
                    started = Stopwatch.GetTimestamp();
                }

                var transaction = transactions[number % transactions.Length];
                if (options.Pipelining)
                {
                    await SendAsync(socket, transaction, cancellationToken);
                    await ExpectAsync(socket, '2', cancellationToken);
                    await ExpectAsync(socket, '2', cancellationToken);
                    await ExpectAsync(socket, '3', cancellationToken);
                }
                else
                {
                    var lines = Encoding.ASCII.GetString(transaction).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                    for (var l = 0; l < lines.Length; l++)
                    {
                        await SendAsync(socket, Encoding.ASCII.GetBytes(lines[l] + "\r\n"), cancellationToken);
                        await ExpectAsync(socket, l == lines.Length - 1 ? '3' : '2', cancellationToken);
                    }
                }

                await SendAsync(socket, body, cancellationToken);
                await ExpectAsync(socket, '2', cancellationToken);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                if (k + 1 < options.PerConnection)
                {
                    number = next();
                }
            }

            await SendAsync(socket, "QUIT\r\n"u8.ToArray(), cancellationToken);
            await ExpectAsync(socket, '2', cancellationToken);
        }
    }

    private static async Task SendAsync(Socket socket, byte[] bytes, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
        }
    }

    /// <summary>Reads one reply (all its lines) and checks the first digit of its code.</summary>
    private async Task ExpectAsync(Socket socket, char digit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, newline - _start).TrimEnd('\r');
                _start = newline + 1;
                if (line.Length >= 4 && line[3] == '-')
                {
                    continue;
                }

                if (line.Length < 3 || line[0] != digit)
                {
                    throw new InvalidOperationException($"expected {digit}xx, got: {line}");
                }

                return;
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new InvalidOperationException("server closed the connection");
            }

            _end += read;
        }
    }
}
