using System.Net;
using System.Net.Sockets;

namespace Extensible.Processing.Filters.Sockets;

/// <summary>Opens the socket a scanner daemon listens on: <c>host:port</c>, <c>[v6]:port</c> or <c>unix:/path</c>.</summary>
public static class ScannerConnection
{
    /// <summary>Connects and returns the socket; throws a clear error for a bad address or a dead daemon.</summary>
    public static async Task<Socket> ConnectAsync(string address, CancellationToken cancellationToken)
    {
        EndPoint endPoint;
        if (address.StartsWith("unix:", StringComparison.OrdinalIgnoreCase))
        {
            endPoint = new UnixDomainSocketEndPoint(address[5..].Replace("//", "/", StringComparison.Ordinal));
        }
        else if (IPEndPoint.TryParse(address, out var ip) && ip.Port != 0)
        {
            endPoint = ip;
        }
        else if (address.LastIndexOf(':') is var colon and > 0 && int.TryParse(address[(colon + 1)..], out var port) && port is > 0 and < 65536)
        {
            endPoint = new DnsEndPoint(address[..colon], port);
        }
        else
        {
            throw new InvalidOperationException($"scanner address '{address}' is not host:port or unix:/path");
        }

        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads until the peer closes or <paramref name="terminator"/> arrives, at most <paramref name="limit"/> bytes.</summary>
    public static async Task<byte[]> ReadReplyAsync(Stream stream, int limit, byte? terminator, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit];
        var length = 0;
        while (length < limit)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (terminator is { } end && Array.IndexOf(buffer, end, length - read, read) >= 0)
            {
                break;
            }
        }

        return buffer[..length];
    }
}
