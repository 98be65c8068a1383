using System.Net;

namespace Extensible.SmtpReceiving.Protocol;

/// <summary>A set of IP networks (CIDR or single addresses) that an address is tested against.</summary>
internal sealed class NetworkList
{
    private readonly IPNetwork[] _networks;

    private NetworkList(IPNetwork[] networks) => _networks = networks;

    /// <summary>Parses entries such as <c>10.0.0.0/8</c>, <c>192.0.2.1</c> or <c>::1</c>; throws on a bad entry so config errors show at start.</summary>
    public static NetworkList Parse(IEnumerable<string>? entries)
    {
        var list = new List<IPNetwork>();
        foreach (var entry in entries ?? [])
        {
            var text = entry.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (IPNetwork.TryParse(text, out var network))
            {
                list.Add(network);
            }
            else if (IPAddress.TryParse(text, out var address))
            {
                list.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new FormatException($"RelayNetworks entry '{text}' is neither an address nor a CIDR network.");
            }
        }

        return new NetworkList([.. list]);
    }

    /// <summary>True when the address is inside one of the networks (IPv4-mapped IPv6 counts as IPv4).</summary>
    public bool Contains(IPAddress address)
    {
        if (_networks.Length == 0)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
