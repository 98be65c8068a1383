using System.Composition;
using System.Net;
using System.Net.Sockets;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Filters;

/// <summary>Refuses clients listed in a DNS block list when they connect (554 5.7.1), before the greeting.</summary>
/// <remarks>A DNS failure lets the client in (logged): a block list outage must not stop mail.</remarks>
[Export(typeof(ISmtpHook))]
[method: ImportingConstructor]
public sealed class DnsblHook(PluginContext context) : ISmtpHook
{
    /// <inheritdoc />
    public int Order => 100;

    /// <inheritdoc />
    public async ValueTask<SmtpHookResult> OnConnectAsync(SmtpSessionInfo session, CancellationToken cancellationToken)
    {
        var options = context.GetOptions<ProcessingFilterOptions>().Filters.Dnsbl;
        var ip = session.ClientAddress.IsIPv4MappedToIPv6 ? session.ClientAddress.MapToIPv4() : session.ClientAddress;
        if (!options.Enabled || options.Zones.Count == 0
            || !options.EffectiveListeners.Contains(session.Listener, StringComparer.OrdinalIgnoreCase)
            || options.Exempt.Any(e => IPAddress.TryParse(e, out var exempt) && exempt.Equals(ip)))
        {
            return SmtpHookResult.Continue;
        }

        var dns = context.GetRequiredService<IDnsResolver>();
        var reversed = ReverseName(ip);
        foreach (var zone in options.Zones)
        {
            var name = $"{reversed}.{zone.Trim().TrimEnd('.')}";
            var answer = await dns.ResolveAddressesAsync(name, AddressFamily.InterNetwork, cancellationToken);
            if (answer.IsTemporaryFailure)
            {
                context.Logger.Warning("DNSBL {Zone} did not answer for {Client} ({Status}); letting it in", zone, ip, answer.Status);
                continue;
            }

            // Block lists answer 127.0.0.x; anything else (for example a wildcarding resolver) is not a listing.
            if (!answer.Records.Any(a => a.AddressFamily == AddressFamily.InterNetwork && a.GetAddressBytes()[0] == 127))
            {
                continue;
            }

            var txt = await dns.ResolveTxtAsync(name, cancellationToken);
            var reason = txt.Records.FirstOrDefault() is { Length: > 0 } text ? $": {text}" : "";
            context.Logger.Information("Client {Client} on {Listener} is listed in {Zone}{Reason}; refused", ip, session.Listener, zone, reason);
            var reply = options.Message.Replace("{ip}", ip.ToString(), StringComparison.Ordinal)
                .Replace("{zone}", zone, StringComparison.Ordinal)
                .Replace("{reason}", reason, StringComparison.Ordinal);
            return new SmtpHookResult(554, "5.7.1", reply, Disconnect: true);
        }

        return SmtpHookResult.Continue;
    }

    /// <summary>The DNSBL query label for an address: reversed octets (IPv4) or reversed nibbles (IPv6).</summary>
    public static string ReverseName(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            return string.Join('.', ip.GetAddressBytes().Reverse());
        }

        var hex = Convert.ToHexStringLower(ip.GetAddressBytes());
        return string.Join('.', hex.Reverse());
    }
}
