using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Bench.Pop3;

/// <summary>One load client: repeats login, STAT, UIDL, RETR of every message, QUIT, timing each command.</summary>
public sealed class Pop3LoadClient(IPEndPoint endPoint, string user, string password)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;
    private NetworkStream _stream = null!;

    public List<double> CommandMilliseconds { get; } = [];

    public List<double> SessionMilliseconds { get; } = [];

    public long Bytes { get; private set; }

    public int Failures { get; private set; }

    /// <summary>Runs sessions until <paramref name="cancellationToken"/> fires; a failed session counts and the loop goes on.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await SessionAsync(cancellationToken);
                SessionMilliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or SocketException or InvalidDataException)
            {
                Failures++;
                if (Failures > 100)
                {
                    throw;
                }
            }
        }
    }

    private async Task SessionAsync(CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(endPoint, cancellationToken);
        _stream = tcp.GetStream();
        _start = _end = 0;
        Expect(await ReadLineAsync(cancellationToken));
        await CommandAsync("USER " + user, false, cancellationToken);
        await CommandAsync("PASS " + password, false, cancellationToken);
        var stat = await CommandAsync("STAT", false, cancellationToken);
        var count = int.Parse(stat.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        await CommandAsync("UIDL", true, cancellationToken);
        for (var i = 1; i <= count; i++)
        {
            await CommandAsync("RETR " + i, true, cancellationToken);
        }

        await CommandAsync("QUIT", false, cancellationToken);
    }

    private async Task<string> CommandAsync(string command, bool multiLine, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
        var status = await ReadLineAsync(cancellationToken);
        Expect(status);
        if (multiLine)
        {
            for (var lines = 0; lines < 10_000_000; lines++)
            {
                if (await ReadLineAsync(cancellationToken) == ".")
                {
                    break;
                }
            }
        }

        CommandMilliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return status;
    }

    private static void Expect(string line)
    {
        if (!line.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidDataException("server said: " + line);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (line.Length < 1_000_000)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, cancellationToken);
                if (_end == 0)
                {
                    throw new IOException("server closed the connection");
                }

                Bytes += _end;
            }

            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline < 0)
            {
                line.Append(Encoding.Latin1.GetString(_buffer, _start, _end - _start));
                _start = _end;
                continue;
            }

            line.Append(Encoding.Latin1.GetString(_buffer, _start, newline - _start));
            _start = newline + 1;
            return line.ToString().TrimEnd('\r');
        }

        throw new InvalidDataException("line too long");
    }
}
