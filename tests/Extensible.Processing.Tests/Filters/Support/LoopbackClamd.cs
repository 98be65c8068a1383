using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Processing.Tests.Filters.Support;

/// <summary>A loopback server speaking clamd's INSTREAM protocol (clamd itself needs a virus database download).</summary>
/// <remarks>Reports the EICAR test signature as <c>Eicar-Test-Signature FOUND</c>; can be told to hang or to answer an error.</remarks>
public sealed class LoopbackClamd : IAsyncDisposable
{
    public const string Eicar = @"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    private const int MaxStream = 32 * 1024 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _disposed;

    public LoopbackClamd()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    public string Address => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Never answer (a hung daemon).</summary>
    public bool Hang { get; set; }

    /// <summary>Answer this instead of scanning, for example <c>INSTREAM size limit exceeded. ERROR</c>.</summary>
    public string? Error { get; set; }

    /// <summary>Every stream received, reassembled from its chunks.</summary>
    public ConcurrentQueue<byte[]> Streams { get; } = new();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or TimeoutException)
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

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var command = new byte[10];
                await stream.ReadExactlyAsync(command, _stop.Token);
                if (Encoding.ASCII.GetString(command) != "zINSTREAM\0")
                {
                    await stream.WriteAsync("UNKNOWN COMMAND\0"u8.ToArray(), _stop.Token);
                    return;
                }

                using var content = new MemoryStream();
                var length = new byte[4];
                while (true)
                {
                    await stream.ReadExactlyAsync(length, _stop.Token);
                    var size = BinaryPrimitives.ReadUInt32BigEndian(length);
                    if (size == 0)
                    {
                        break;
                    }

                    if (content.Length + size > MaxStream)
                    {
                        await stream.WriteAsync("INSTREAM size limit exceeded. ERROR\0"u8.ToArray(), _stop.Token);
                        return;
                    }

                    var chunk = new byte[size];
                    await stream.ReadExactlyAsync(chunk, _stop.Token);
                    content.Write(chunk);
                }

                Streams.Enqueue(content.ToArray());
                if (Hang)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                var infected = Encoding.ASCII.GetString(content.ToArray()).Contains(Eicar, StringComparison.Ordinal);
                var reply = Error ?? (infected ? "stream: Eicar-Test-Signature FOUND" : "stream: OK");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(reply + "\0"), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or EndOfStreamException)
            {
            }
        }
    }
}
