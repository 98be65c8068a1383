using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Hosting.Networking;

/// <summary>Reads a PROXY protocol v1 (text) or v2 (binary) header from the start of a connection (haproxy's proxy-protocol.txt).</summary>
internal static class ProxyProtocolReader
{
    /// <summary>Longest v1 line, CRLF included.</summary>
    public const int MaxV1Length = 107;

    /// <summary>Longest v2 address block accepted (addresses plus TLVs).</summary>
    public const int MaxV2Length = 4096;

    private static readonly byte[] V2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    private static readonly byte[] V1Prefix = "PROXY "u8.ToArray();

    /// <summary>Reads the header; reads only as much as the sender sent, so a v1 header followed by silence is fine.</summary>
    /// <exception cref="InvalidDataException">The input is not a well-formed PROXY header, or ended early.</exception>
    public static async Task<ProxyHeader> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 + MaxV2Length];
        var length = 0;
        while (true)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                throw new InvalidDataException("the connection ended inside the PROXY header");
            }

            length += read;
            if (TryParse(buffer.AsSpan(0, length), out var header, out var consumed))
            {
                return header! with { Leftover = buffer.AsMemory(consumed, length - consumed) };
            }
        }
    }

    /// <summary>Parses a complete header from the front of <paramref name="data"/>; false when more input is needed.</summary>
    /// <exception cref="InvalidDataException">The input can never become a well-formed header.</exception>
    public static bool TryParse(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed)
    {
        header = null;
        consumed = 0;
        if (data.IsEmpty)
        {
            return false;
        }

        if (data[0] == V2Signature[0])
        {
            return TryParseV2(data, out header, out consumed);
        }

        if (data[0] == V1Prefix[0])
        {
            return TryParseV1(data, out header, out consumed);
        }

        throw new InvalidDataException("the connection does not start with a PROXY header");
    }

    private static bool TryParseV1(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed)
    {
        header = null;
        consumed = 0;
        var prefix = Math.Min(data.Length, V1Prefix.Length);
        if (!data[..prefix].SequenceEqual(V1Prefix.AsSpan(0, prefix)))
        {
            throw new InvalidDataException("the connection does not start with a PROXY header");
        }

        var end = data.IndexOf("\r\n"u8);
        if (end < 0)
        {
            if (data.Length >= MaxV1Length)
            {
                throw new InvalidDataException("PROXY v1 header is longer than 107 bytes");
            }

            return false;
        }

        if (end + 2 > MaxV1Length)
        {
            throw new InvalidDataException("PROXY v1 header is longer than 107 bytes");
        }

        var line = Encoding.ASCII.GetString(data[..end]);
        var parts = line.Split(' ');
        consumed = end + 2;
        if (parts.Length >= 2 && parts[1] == "UNKNOWN")
        {
            header = new ProxyHeader(null, null, default);
            return true;
        }

        if (parts.Length != 6 || parts[1] is not ("TCP4" or "TCP6"))
        {
            throw new InvalidDataException($"malformed PROXY v1 header '{Printable(line)}'");
        }

        var family = parts[1] == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var source = new IPEndPoint(Address(parts[2], family), Port(parts[4]));
        var destination = new IPEndPoint(Address(parts[3], family), Port(parts[5]));
        header = new ProxyHeader(source, destination, default);
        return true;
    }

    private static bool TryParseV2(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed)
    {
        header = null;
        consumed = 0;
        var prefix = Math.Min(data.Length, V2Signature.Length);
        if (!data[..prefix].SequenceEqual(V2Signature.AsSpan(0, prefix)))
        {
            throw new InvalidDataException("the connection does not start with a PROXY header");
        }

        if (data.Length < 16)
        {
            return false;
        }

        var versionCommand = data[12];
        if (versionCommand >> 4 != 2)
        {
            throw new InvalidDataException($"PROXY v2 header has version {versionCommand >> 4}");
        }

        var command = versionCommand & 0x0F;
        if (command > 1)
        {
            throw new InvalidDataException($"PROXY v2 header has unknown command {command}");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(data[14..16]);
        if (length > MaxV2Length)
        {
            throw new InvalidDataException($"PROXY v2 header announces {length} bytes of addresses");
        }

        if (data.Length < 16 + length)
        {
            return false;
        }

        consumed = 16 + length;
        var body = data.Slice(16, length);
        var family = data[13] >> 4;
        var transport = data[13] & 0x0F;
        if (command == 0 || family == 0 || family == 3)
        {
            // LOCAL (a health check of the proxy itself), UNSPEC or a Unix socket: keep the socket's addresses.
            header = new ProxyHeader(null, null, default);
            return true;
        }

        if (transport is not (1 or 2) || family > 3)
        {
            throw new InvalidDataException($"PROXY v2 header has unknown family/transport 0x{data[13]:x2}");
        }

        var size = family == 1 ? 4 : 16;
        if (body.Length < (size * 2) + 4)
        {
            throw new InvalidDataException("PROXY v2 address block is too short for its family");
        }

        var source = new IPEndPoint(new IPAddress(body[..size]), BinaryPrimitives.ReadUInt16BigEndian(body.Slice(size * 2, 2)));
        var destination = new IPEndPoint(new IPAddress(body.Slice(size, size)), BinaryPrimitives.ReadUInt16BigEndian(body.Slice((size * 2) + 2, 2)));
        header = new ProxyHeader(source, destination, default);
        return true;
    }

    private static IPAddress Address(string text, AddressFamily family)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != family)
        {
            throw new InvalidDataException($"PROXY v1 address '{Printable(text)}' is not a {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }

        return address;
    }

    private static int Port(string text)
    {
        if (text.Length is 0 or > 5 || !text.All(char.IsAsciiDigit) || (text.Length > 1 && text[0] == '0')
            || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new InvalidDataException($"PROXY v1 port '{Printable(text)}' is not 0-65535");
        }

        return port;
    }

    private static string Printable(string text) =>
        new(text.Take(60).Select(c => c is >= ' ' and < (char)127 ? c : '?').ToArray());
}
