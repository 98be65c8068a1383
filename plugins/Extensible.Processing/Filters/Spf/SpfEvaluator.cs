using System.Net;
using System.Net.Sockets;
using Extensible.Sdk.Dns;

namespace Extensible.Processing.Filters.Spf;

/// <summary>RFC 7208 check_host() over the host's DNR: mechanisms, modifiers, macros, and the 10-lookup and 2-void-lookup limits.</summary>
public sealed class SpfEvaluator(IDnsResolver dns, string receiver)
{
    private const int LookupLimit = 10;
    private const int VoidLookupLimit = 2;
    private const int MxAddressLimit = 10;
    private int _lookups;
    private int _voidLookups;

    /// <summary>Evaluates the client address against the sender's domain; <paramref name="sender"/> is the full MAIL FROM (or postmaster@helo).</summary>
    public async ValueTask<SpfOutcome> CheckHostAsync(IPAddress ip, string domain, string sender, string? helo, CancellationToken cancellationToken)
    {
        _lookups = 0;
        _voidLookups = 0;
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        var context = new SpfMacroContext(ip, sender, helo ?? "unknown", receiver);
        return await CheckAsync(ip, domain.TrimEnd('.'), context, 0, cancellationToken);
    }

    private async ValueTask<SpfOutcome> CheckAsync(IPAddress ip, string domain, SpfMacroContext context, int depth, CancellationToken cancellationToken)
    {
        if (!IsValidDomain(domain))
        {
            return new SpfOutcome(SpfResult.None, $"'{domain}' is not a valid domain");
        }

        if (depth > LookupLimit)
        {
            return new SpfOutcome(SpfResult.PermError, "include/redirect nesting too deep");
        }

        var txt = await dns.ResolveTxtAsync(domain, cancellationToken);
        if (txt.IsTemporaryFailure)
        {
            return new SpfOutcome(SpfResult.TempError, $"DNS lookup of {domain} failed ({txt.Status})");
        }

        var records = txt.Records.Where(IsSpfRecord).ToList();
        if (records.Count == 0)
        {
            return new SpfOutcome(SpfResult.None, $"no SPF record at {domain}");
        }

        if (records.Count > 1)
        {
            return new SpfOutcome(SpfResult.PermError, $"{domain} has {records.Count} SPF records");
        }

        var terms = records[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        string? redirect = null;
        var domainContext = context with { Domain = domain };
        foreach (var term in terms)
        {
            if (IsModifier(term, out var modifier, out var value))
            {
                if (modifier == "redirect")
                {
                    if (redirect is not null)
                    {
                        return new SpfOutcome(SpfResult.PermError, "redirect given twice");
                    }

                    redirect = value;
                }

                continue; // exp= and unknown modifiers do not change the result.
            }

            var qualifier = term[0] switch
            {
                '+' => SpfResult.Pass,
                '-' => SpfResult.Fail,
                '~' => SpfResult.SoftFail,
                '?' => SpfResult.Neutral,
                _ => (SpfResult?)null,
            };
            var mechanism = qualifier is null ? term : term[1..];
            var match = await MatchAsync(ip, mechanism, domainContext, depth, cancellationToken);
            if (match.Outcome is { } error)
            {
                return error;
            }

            if (match.Matched)
            {
                return new SpfOutcome(qualifier ?? SpfResult.Pass, $"matched {term} at {domain}");
            }
        }

        if (redirect is not null)
        {
            if (!CountLookup())
            {
                return new SpfOutcome(SpfResult.PermError, "more than 10 DNS lookups");
            }

            var target = SpfMacro.Expand(redirect, domainContext);
            if (target is null)
            {
                return new SpfOutcome(SpfResult.PermError, $"bad macro in redirect={redirect}");
            }

            var result = await CheckAsync(ip, target, context, depth + 1, cancellationToken);
            return result.Result == SpfResult.None ? new SpfOutcome(SpfResult.PermError, $"redirect to {target}: {result.Reason}") : result;
        }

        return new SpfOutcome(SpfResult.Neutral, $"no mechanism matched at {domain}");
    }

    private async ValueTask<(bool Matched, SpfOutcome? Outcome)> MatchAsync(IPAddress ip, string mechanism, SpfMacroContext context, int depth, CancellationToken cancellationToken)
    {
        var colon = mechanism.IndexOf(':', StringComparison.Ordinal);
        var slash = mechanism.IndexOf('/', StringComparison.Ordinal);
        var nameEnd = colon >= 0 ? colon : slash >= 0 ? slash : mechanism.Length;
        var name = mechanism[..nameEnd].ToLowerInvariant();
        var argument = colon >= 0 ? mechanism[(colon + 1)..] : null;
        var cidrText = colon < 0 && slash >= 0 ? mechanism[slash..] : null;

        switch (name)
        {
            case "all":
                return (true, null);
            case "ip4" or "ip6":
                return argument is not null && MatchNetwork(ip, argument, name == "ip6") is { } ipMatch
                    ? (ipMatch, null)
                    : (false, new SpfOutcome(SpfResult.PermError, $"bad {name} mechanism '{mechanism}'"));
            case "include":
            {
                if (!CountLookup())
                {
                    return (false, new SpfOutcome(SpfResult.PermError, "more than 10 DNS lookups"));
                }

                var target = argument is null ? null : SpfMacro.Expand(argument, context);
                if (target is null)
                {
                    return (false, new SpfOutcome(SpfResult.PermError, $"bad include '{mechanism}'"));
                }

                var result = await CheckAsync(ip, target, context, depth + 1, cancellationToken);
                return result.Result switch
                {
                    SpfResult.Pass => (true, null),
                    SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => (false, null),
                    SpfResult.TempError => (false, result),
                    _ => (false, new SpfOutcome(SpfResult.PermError, $"include:{target} gave {result.Result}")),
                };
            }

            case "a" or "mx" or "ptr" or "exists":
            {
                if (!CountLookup())
                {
                    return (false, new SpfOutcome(SpfResult.PermError, "more than 10 DNS lookups"));
                }

                string? spec = argument;
                string? cidr = cidrText;
                if (spec is not null && spec.IndexOf('/', StringComparison.Ordinal) is var specSlash and >= 0)
                {
                    cidr = spec[specSlash..];
                    spec = spec[..specSlash];
                }

                var target = spec is null ? context.Domain : SpfMacro.Expand(spec, context);
                if (target is null || (name == "exists" && spec is null))
                {
                    return (false, new SpfOutcome(SpfResult.PermError, $"bad {name} mechanism '{mechanism}'"));
                }

                if (!TryParseDualCidr(cidr, out var prefix4, out var prefix6))
                {
                    return (false, new SpfOutcome(SpfResult.PermError, $"bad prefix in '{mechanism}'"));
                }

                return name switch
                {
                    "a" => await MatchHostAsync(ip, target, prefix4, prefix6, cancellationToken),
                    "mx" => await MatchMxAsync(ip, target, prefix4, prefix6, cancellationToken),
                    "ptr" => await MatchPtrAsync(ip, target, cancellationToken),
                    _ => await MatchExistsAsync(target, cancellationToken),
                };
            }

            default:
                return (false, new SpfOutcome(SpfResult.PermError, $"unknown mechanism '{mechanism}'"));
        }
    }

    private async ValueTask<(bool, SpfOutcome?)> MatchHostAsync(IPAddress ip, string host, int prefix4, int prefix6, CancellationToken cancellationToken)
    {
        var addresses = await dns.ResolveAddressesAsync(host, ip.AddressFamily, cancellationToken);
        if (addresses.IsTemporaryFailure)
        {
            return (false, new SpfOutcome(SpfResult.TempError, $"DNS lookup of {host} failed ({addresses.Status})"));
        }

        if (addresses.Records.Count == 0 && !CountVoid())
        {
            return (false, new SpfOutcome(SpfResult.PermError, "more than 2 void lookups"));
        }

        return (addresses.Records.Any(a => InNetwork(ip, a, ip.AddressFamily == AddressFamily.InterNetwork ? prefix4 : prefix6)), null);
    }

    private async ValueTask<(bool, SpfOutcome?)> MatchMxAsync(IPAddress ip, string domain, int prefix4, int prefix6, CancellationToken cancellationToken)
    {
        var mx = await dns.ResolveMxAsync(domain, cancellationToken);
        if (mx.IsTemporaryFailure)
        {
            return (false, new SpfOutcome(SpfResult.TempError, $"DNS MX lookup of {domain} failed ({mx.Status})"));
        }

        if (mx.Records.Count == 0 && !CountVoid())
        {
            return (false, new SpfOutcome(SpfResult.PermError, "more than 2 void lookups"));
        }

        if (mx.Records.Count > MxAddressLimit)
        {
            return (false, new SpfOutcome(SpfResult.PermError, $"{domain} has more than 10 MX records"));
        }

        foreach (var record in mx.Records.Where(r => r.Exchange.Length > 0))
        {
            var (matched, outcome) = await MatchHostAsync(ip, record.Exchange, prefix4, prefix6, cancellationToken);
            if (outcome is not null && outcome.Result == SpfResult.TempError)
            {
                return (false, outcome);
            }

            if (matched)
            {
                return (true, null);
            }
        }

        return (false, null);
    }

    private async ValueTask<(bool, SpfOutcome?)> MatchPtrAsync(IPAddress ip, string domain, CancellationToken cancellationToken)
    {
        var names = await dns.ResolvePtrAsync(ip, cancellationToken);
        foreach (var name in names.Records.Take(MxAddressLimit))
        {
            if (!name.Equals(domain, StringComparison.OrdinalIgnoreCase) && !name.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var forward = await dns.ResolveAddressesAsync(name, ip.AddressFamily, cancellationToken);
            if (forward.Records.Any(a => a.Equals(ip)))
            {
                return (true, null);
            }
        }

        return (false, null);
    }

    private async ValueTask<(bool, SpfOutcome?)> MatchExistsAsync(string name, CancellationToken cancellationToken)
    {
        var addresses = await dns.ResolveAddressesAsync(name, AddressFamily.InterNetwork, cancellationToken);
        if (addresses.IsTemporaryFailure)
        {
            return (false, new SpfOutcome(SpfResult.TempError, $"DNS lookup of {name} failed ({addresses.Status})"));
        }

        if (addresses.Records.Count == 0 && !CountVoid())
        {
            return (false, new SpfOutcome(SpfResult.PermError, "more than 2 void lookups"));
        }

        return (addresses.Records.Count > 0, null);
    }

    private static bool IsModifier(string term, out string name, out string value)
    {
        var equals = term.IndexOf('=', StringComparison.Ordinal);
        name = equals > 0 ? term[..equals].ToLowerInvariant() : "";
        value = equals > 0 ? term[(equals + 1)..] : "";
        return equals > 0 && char.IsAsciiLetter(term[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
    }

    private bool CountLookup() => ++_lookups <= LookupLimit;

    private bool CountVoid() => ++_voidLookups <= VoidLookupLimit;

    private static bool IsSpfRecord(string text) =>
        text.Equals("v=spf1", StringComparison.OrdinalIgnoreCase) || text.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase);

    private static bool IsValidDomain(string domain) =>
        domain.Length is > 0 and <= 253 && domain.Contains('.', StringComparison.Ordinal)
        && domain.Split('.').All(label => label.Length is > 0 and <= 63);

    private static bool? MatchNetwork(IPAddress ip, string text, bool v6)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText, out var network) || (network.AddressFamily == AddressFamily.InterNetworkV6) != v6)
        {
            return null;
        }

        var max = v6 ? 128 : 32;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return null;
        }

        return ip.AddressFamily == network.AddressFamily && InNetwork(ip, network, prefix);
    }

    private static bool TryParseDualCidr(string? text, out int prefix4, out int prefix6)
    {
        prefix4 = 32;
        prefix6 = 128;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var parts = text.Split("//");
        if (parts.Length > 2)
        {
            return false;
        }

        if (parts[0].Length > 0 && !(parts[0].StartsWith('/') && int.TryParse(parts[0][1..], out prefix4) && prefix4 is >= 0 and <= 32))
        {
            return false;
        }

        return parts.Length == 1 || (int.TryParse(parts[1], out prefix6) && prefix6 is >= 0 and <= 128);
    }

    private static bool InNetwork(IPAddress ip, IPAddress network, int prefix)
    {
        if (ip.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = ip.GetAddressBytes();
        var b = network.GetAddressBytes();
        for (var bit = 0; bit < prefix; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
