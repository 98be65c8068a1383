using System.Net;
using System.Net.Sockets;

namespace Extensible.Hosting.Networking;

/// <summary>An inclusive range of IPv4 or IPv6 addresses, written as one address, <c>a-b</c> or a CIDR block.</summary>
public readonly record struct AddressRange(AddressFamily Family, UInt128 First, UInt128 Last)
{
    /// <summary>Parses <c>192.0.2.1</c>, <c>192.0.2.1-192.0.2.9</c>, <c>10.0.0.0/8</c>, <c>::1</c>, <c>2001:db8::/32</c>, or <c>*</c> (every IPv4 and IPv6 address).</summary>
    public static bool TryParse(string? text, out AddressRange range)
    {
        range = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (text == "*")
        {
            range = new AddressRange(AddressFamily.Unspecified, UInt128.MinValue, UInt128.MaxValue);
            return true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!IPAddress.TryParse(text[..slash], out var network) || !int.TryParse(text[(slash + 1)..], out var prefix))
            {
                return false;
            }

            var bits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (prefix < 0 || prefix > bits)
            {
                return false;
            }

            var value = ToNumber(network);
            var hostBits = bits - prefix;
            var mask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
            range = new AddressRange(network.AddressFamily, value & ~mask, value | mask);
            return true;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            if (!IPAddress.TryParse(text[..dash].Trim(), out var first) || !IPAddress.TryParse(text[(dash + 1)..].Trim(), out var last)
                || first.AddressFamily != last.AddressFamily || ToNumber(first) > ToNumber(last))
            {
                return false;
            }

            range = new AddressRange(first.AddressFamily, ToNumber(first), ToNumber(last));
            return true;
        }

        if (!IPAddress.TryParse(text, out var single))
        {
            return false;
        }

        range = new AddressRange(single.AddressFamily, ToNumber(single), ToNumber(single));
        return true;
    }

    /// <summary>True when the address lies in the range (IPv4-mapped IPv6 addresses count as IPv4).</summary>
    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (Family != AddressFamily.Unspecified && address.AddressFamily != Family)
        {
            return false;
        }

        var value = ToNumber(address);
        return value >= First && value <= Last;
    }

    private static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        UInt128 value = 0;
        for (var i = 0; i < written; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }
}
