using System.Net;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Messages;

namespace Extensible.SmtpSending.Routing;

/// <summary>Turns a destination domain into hosts to try: a configured smart host, or the domain's MX records (RFC 5321 section 5).</summary>
internal sealed class DeliveryRouter(IDnsResolver dns, SmtpSendingOptions options, string serverName)
{
    /// <summary>Finds the route for a domain; never throws for DNS trouble, which becomes a temporary failure.</summary>
    public async ValueTask<DeliveryRoute> RouteAsync(string domain, CancellationToken cancellationToken)
    {
        domain = domain.Trim().TrimEnd('.').ToLowerInvariant();
        if (FindSmartHost(domain) is { } relay)
        {
            return await RelayRouteAsync(domain, relay, cancellationToken);
        }

        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            var literal = domain[1..^1];
            if (literal.StartsWith("ipv6:", StringComparison.OrdinalIgnoreCase))
            {
                literal = literal[5..];
            }

            return IPAddress.TryParse(literal, out var address)
                ? new DeliveryRoute { Key = domain, Targets = [new DeliveryTarget(literal, [address], options.Port, null)] }
                : DeliveryRoute.Fail(domain, RemoteDeliveryStatus.PermanentFailure, "5.1.2", $"bad address literal {domain}");
        }

        var mx = await dns.ResolveMxAsync(domain, cancellationToken);
        switch (mx.Status)
        {
            case DnsStatus.Timeout or DnsStatus.ServerFailure:
                return DeliveryRoute.Fail(domain, RemoteDeliveryStatus.TemporaryFailure, "4.4.3", $"DNS MX lookup for {domain} failed ({mx.Status})");
            case DnsStatus.NameError:
                return DeliveryRoute.Fail(domain, RemoteDeliveryStatus.PermanentFailure, "5.1.2", $"domain {domain} does not exist (NXDOMAIN)");
        }

        if (mx.Records.Any(r => r.Exchange.Length == 0))
        {
            // RFC 7505: a null MX says the domain accepts no mail.
            return DeliveryRoute.Fail(domain, RemoteDeliveryStatus.PermanentFailure, "5.1.10", $"556 5.1.10 domain {domain} accepts no mail (null MX)");
        }

        var implicitMx = mx.Records.Count == 0;
        IReadOnlyList<MxRecord> hosts = implicitMx ? [new MxRecord(0, domain)] : Shuffle(mx.Records);
        var local = hosts.Where(h => IsLocal(h.Exchange)).Select(h => (int?)h.Preference).Min();
        if (local is not null)
        {
            // RFC 5321 section 5.1: drop ourselves and everything less preferred; nothing left means a loop.
            hosts = [.. hosts.Where(h => h.Preference < local)];
            if (hosts.Count == 0)
            {
                return DeliveryRoute.Fail(domain, RemoteDeliveryStatus.PermanentFailure, "5.4.6", $"MX for {domain} points back to this server (mail loop)");
            }
        }

        var targets = new List<DeliveryTarget>();
        var temporary = false;
        var addressCount = 0;
        foreach (var host in hosts)
        {
            if (addressCount >= options.MaxAddressesPerAttempt)
            {
                break;
            }

            var addresses = await dns.ResolveAddressesAsync(host.Exchange, null, cancellationToken);
            temporary |= addresses.IsTemporaryFailure;
            var usable = addresses.Records.Take(options.MaxAddressesPerAttempt - addressCount).ToList();
            if (usable.Count > 0)
            {
                addressCount += usable.Count;
                targets.Add(new DeliveryTarget(host.Exchange, usable, options.Port, null));
            }
        }

        if (targets.Count > 0)
        {
            return new DeliveryRoute { Key = domain, Targets = targets };
        }

        return temporary
            ? DeliveryRoute.Fail(domain, RemoteDeliveryStatus.TemporaryFailure, "4.4.3", $"DNS address lookup for the MX hosts of {domain} failed")
            : implicitMx
                ? DeliveryRoute.Fail(domain, RemoteDeliveryStatus.PermanentFailure, "5.1.2", $"domain {domain} has no MX and no address records")
                : DeliveryRoute.Fail(domain, RemoteDeliveryStatus.TemporaryFailure, "4.4.4", $"no MX host of {domain} has an address");
    }

    private async ValueTask<DeliveryRoute> RelayRouteAsync(string domain, SmartHostOptions relay, CancellationToken cancellationToken)
    {
        var key = $"relay:{relay.Host}:{relay.Port}";
        if (string.IsNullOrWhiteSpace(relay.Host))
        {
            return DeliveryRoute.Fail(key, RemoteDeliveryStatus.TemporaryFailure, "4.3.5", $"smart host for {domain} has no Host configured");
        }

        var addresses = await dns.ResolveAddressesAsync(relay.Host, null, cancellationToken);
        if (addresses.Records.Count == 0)
        {
            return DeliveryRoute.Fail(key, RemoteDeliveryStatus.TemporaryFailure, "4.4.3", $"smart host {relay.Host} has no address ({addresses.Status})");
        }

        return new DeliveryRoute { Key = key, Targets = [new DeliveryTarget(relay.Host, addresses.Records, relay.Port, relay)] };
    }

    private SmartHostOptions? FindSmartHost(string domain)
    {
        if (options.SmartHosts.TryGetValue(domain, out var exact))
        {
            return exact;
        }

        for (var dot = domain.IndexOf('.', StringComparison.Ordinal); dot >= 0; dot = domain.IndexOf('.', dot + 1))
        {
            if (options.SmartHosts.TryGetValue("*" + domain[dot..], out var wildcard))
            {
                return wildcard;
            }
        }

        return options.SmartHost is { Host.Length: > 0 } global ? global : null;
    }

    private bool IsLocal(string host) =>
        string.Equals(host, serverName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || options.LocalHostNames.Any(n => string.Equals(n.TrimEnd('.'), host, StringComparison.OrdinalIgnoreCase));

    /// <summary>Sorts by preference and shuffles hosts of equal preference, as RFC 5321 asks, to spread load.</summary>
    private static List<MxRecord> Shuffle(IReadOnlyList<MxRecord> records) =>
        [.. records.OrderBy(r => r.Preference).ThenBy(_ => Random.Shared.Next())];
}
