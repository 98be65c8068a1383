using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Host.Tests.Support;

/// <summary>A plain TCP client that sends and reads CRLF lines, each read bounded by a timeout.</summary>
internal sealed class LineClient : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    private readonly TcpClient _client;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private LineClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Connects and returns the client; the greeting is left unread.</summary>
    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var client = new TcpClient();
        await client.ConnectAsync(endPoint, cancellationToken);
        return new LineClient(client);
    }

    /// <summary>Reads one line; null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        try
        {
            return await _reader.ReadLineAsync(timeout.Token);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Sends one line and reads the reply line.</summary>
    public async Task<string?> SendAsync(string line, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);
        return await ReadLineAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
