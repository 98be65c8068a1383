using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Extensible.Sdk.Dns;
using MxRecord = Extensible.Sdk.Dns.MxRecord;

namespace Extensible.Hosting.Dns;

/// <summary>The host's DNS resolver (AXIGEN's DNR), shared by every plugin through <see cref="IDnsResolver"/>.</summary>
/// <remarks>
/// Name servers are asked in priority order (lowest number first); a server that times out or fails is passed over for
/// the next; after a full round the timeout doubles and the round repeats, <see cref="DnrOptions.Retries"/> times.
/// Answers (NXDOMAIN and empty answers too) are cached per record type, at most <see cref="DnrOptions.CacheSize"/>
/// names each, for their TTL; temporary failures are never cached.
/// </remarks>
public sealed class DnrResolver : IDnsResolver
{
    /// <summary>How long a negative answer is cached when the server sends no SOA to say.</summary>
    internal static readonly TimeSpan DefaultNegativeTtl = TimeSpan.FromSeconds(60);

    /// <summary>The longest any answer is cached, whatever its TTL says.</summary>
    internal static readonly TimeSpan MaximumTtl = TimeSpan.FromDays(1);

    private static readonly TimeSpan MaximumTimeout = TimeSpan.FromSeconds(120);
    private readonly LookupClient _client;
    private readonly NameServer[] _servers;
    private readonly DnrCache _cache;
    private readonly TimeSpan _timeout;
    private readonly int _retries;
    private readonly Serilog.ILogger _logger;

    /// <summary>Creates the resolver from the <c>Dnr</c> options.</summary>
    public DnrResolver(DnrOptions options, Serilog.ILogger logger)
        : this(options, logger, TimeProvider.System)
    {
    }

    /// <summary>Creates the resolver with a clock, so tests can expire cache entries.</summary>
    internal DnrResolver(DnrOptions options, Serilog.ILogger logger, TimeProvider time)
    {
        _logger = logger.ForContext<DnrResolver>();
        var configured = options.NameServers
            .Select((s, index) => (s, index))
            .OrderBy(x => x.s.Priority)
            .ThenBy(x => x.index)
            .Select(x => ParseEndPoint(x.s.Address))
            .ToList();
        NameServers = configured.Count > 0 ? configured : SystemNameServers();
        _servers = [.. NameServers.Select(s => new NameServer(s))];
        _timeout = TimeSpan.FromSeconds(Math.Clamp(options.TimeoutSeconds, 1, 120));
        _retries = Math.Clamp(options.Retries, 0, 10);
        _cache = new DnrCache(Math.Clamp(options.CacheSize, 0, 1_000_000), time);
        _client = new LookupClient(new LookupClientOptions(_servers.Length > 0 ? _servers : [new NameServer(IPAddress.Loopback)])
        {
            UseCache = false,
            Retries = 0,
            UseRandomNameServer = false,
            ContinueOnDnsError = false,
            ThrowDnsErrors = false,
            UseTcpFallback = true,
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<IPEndPoint> NameServers { get; }

    /// <summary>Drops every cached answer.</summary>
    public void ClearCache() => _cache.Clear();

    /// <inheritdoc />
    public async ValueTask<DnsResult<MxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken = default)
    {
        var answer = await QueryAsync(domain, QueryType.MX, cancellationToken);
        var records = answer.Records.OfType<DnsClient.Protocol.MxRecord>()
            .Select(r => new MxRecord(r.Preference, TrimDot(r.Exchange.Value)))
            .OrderBy(r => r.Preference)
            .ToList();
        return new DnsResult<MxRecord>(answer.Status, records);
    }

    /// <inheritdoc />
    public async ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, AddressFamily? family = null, CancellationToken cancellationToken = default)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return new DnsResult<IPAddress>(DnsStatus.NoError, [literal]);
        }

        var results = new List<IPAddress>();
        var statuses = new List<DnsStatus>();
        if (family is null or AddressFamily.InterNetwork)
        {
            var answer = await QueryAsync(host, QueryType.A, cancellationToken);
            statuses.Add(answer.Status);
            results.AddRange(answer.Records.OfType<ARecord>().Select(a => a.Address));
        }

        if (family is null or AddressFamily.InterNetworkV6)
        {
            var answer = await QueryAsync(host, QueryType.AAAA, cancellationToken);
            statuses.Add(answer.Status);
            results.AddRange(answer.Records.OfType<AaaaRecord>().Select(a => a.Address));
        }

        var status = results.Count > 0 ? DnsStatus.NoError
            : statuses.Contains(DnsStatus.Timeout) ? DnsStatus.Timeout
            : statuses.Contains(DnsStatus.ServerFailure) ? DnsStatus.ServerFailure
            : statuses.All(s => s == DnsStatus.NameError) ? DnsStatus.NameError
            : DnsStatus.NoError;
        return new DnsResult<IPAddress>(status, results);
    }

    /// <inheritdoc />
    public async ValueTask<DnsResult<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken = default)
    {
        var answer = await QueryAsync(name, QueryType.TXT, cancellationToken);
        return new DnsResult<string>(answer.Status, [.. answer.Records.OfType<TxtRecord>().Select(t => string.Concat(t.Text))]);
    }

    /// <inheritdoc />
    public async ValueTask<DnsResult<string>> ResolvePtrAsync(IPAddress address, CancellationToken cancellationToken = default)
    {
        var answer = await QueryAsync(address.GetArpaName(), QueryType.PTR, cancellationToken);
        return new DnsResult<string>(answer.Status, [.. answer.Records.OfType<PtrRecord>().Select(p => TrimDot(p.PtrDomainName.Value))]);
    }

    private async ValueTask<DnrAnswer> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        var key = TrimDot(name.Trim()).ToLowerInvariant();
        if (key.Length == 0 || key.Length > 253)
        {
            return new DnrAnswer(DnsStatus.NameError, []);
        }

        if (_cache.Get(key, type) is { } cached)
        {
            return cached;
        }

        var sawFailure = false;
        var timeout = _timeout;
        for (var attempt = 0; attempt <= _retries; attempt++)
        {
            foreach (var server in _servers)
            {
                var (answer, failed) = await AskAsync(server, key, type, timeout, cancellationToken);
                if (answer is not null)
                {
                    return answer;
                }

                sawFailure |= failed;
            }

            timeout = timeout * 2 > MaximumTimeout ? MaximumTimeout : timeout * 2;
        }

        _logger.Debug("DNS {Type} query for {Name} got no answer from {Servers} servers in {Attempts} rounds", type, key, _servers.Length, _retries + 1);
        return new DnrAnswer(sawFailure ? DnsStatus.ServerFailure : DnsStatus.Timeout, []);
    }

    /// <summary>Asks one server once; no answer when it failed (Failed) or timed out, so the next server is tried.</summary>
    private async ValueTask<(DnrAnswer? Answer, bool Failed)> AskAsync(NameServer server, string name, QueryType type, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var options = new DnsQueryAndServerOptions(server)
        {
            Timeout = timeout,
            Retries = 0,
            UseCache = false,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            UseTcpFallback = true,
            UseRandomNameServer = false,
        };
        try
        {
            var response = await _client.QueryAsync(new DnsQuestion(name, type, QueryClass.IN), options, cancellationToken);
            var code = response.Header.ResponseCode;
            if (code == DnsHeaderResponseCode.NoError)
            {
                var records = response.Answers.Where(r => r.RecordType == (ResourceRecordType)type).ToList();
                var answer = new DnrAnswer(DnsStatus.NoError, records);
                _cache.Set(name, type, answer, records.Count > 0 ? Ttl(records.Min(r => r.InitialTimeToLive)) : NegativeTtl(response));
                return (answer, false);
            }

            if (code == DnsHeaderResponseCode.NotExistentDomain)
            {
                var answer = new DnrAnswer(DnsStatus.NameError, []);
                _cache.Set(name, type, answer, NegativeTtl(response));
                return (answer, false);
            }

            _logger.Debug("DNS {Type} query for {Name} at {Server}: {Code}", type, name, server, code);
            return (null, true);
        }
        catch (DnsResponseException ex) when (ex.Code == DnsResponseCode.ConnectionTimeout && !cancellationToken.IsCancellationRequested)
        {
            _logger.Debug("DNS {Type} query for {Name} at {Server} timed out after {Timeout}", type, name, server, timeout);
            return (null, false);
        }
        catch (DnsResponseException ex) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.Debug("DNS {Type} query for {Name} at {Server} failed: {Error}", type, name, server, ex.Message);
            return (null, true);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            _logger.Debug("DNS {Type} query for {Name} at {Server} failed: {Error}", type, name, server, ex.Message);
            return (null, true);
        }
    }

    private static TimeSpan Ttl(int seconds) => seconds <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(seconds, MaximumTtl.TotalSeconds));

    private static TimeSpan NegativeTtl(IDnsQueryResponse response)
    {
        // RFC 2308: the SOA in the authority section bounds negative caching.
        var soa = response.Authorities.OfType<SoaRecord>().FirstOrDefault();
        return soa is null ? DefaultNegativeTtl : Ttl((int)Math.Min(soa.Minimum, (uint)soa.InitialTimeToLive));
    }

    private static List<IPEndPoint> SystemNameServers()
    {
        try
        {
            return [.. NameServer.ResolveNameServers(skipIPv6SiteLocal: true, fallbackToGooglePublicDns: false).Select(n => new IPEndPoint(IPAddress.Parse(n.Address), n.Port))];
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException)
        {
            return [];
        }
    }

    private static string TrimDot(string name) => name.EndsWith('.') ? name[..^1] : name;

    private static IPEndPoint ParseEndPoint(string address) =>
        IPEndPoint.TryParse(address, out var endPoint)
            ? (endPoint.Port == 0 ? new IPEndPoint(endPoint.Address, 53) : endPoint)
            : throw new Configuration.ConfigurationException($"Dnr:NameServers: '{address}' is not an IP address with an optional port");
}
