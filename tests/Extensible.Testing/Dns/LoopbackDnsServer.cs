using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Extensible.Testing.Dns;

/// <summary>An authoritative DNS server on 127.0.0.1 (UDP and TCP, one ephemeral port) serving the zones a test declares.</summary>
/// <remarks>Names not declared answer NXDOMAIN; <see cref="TimeOut"/> and <see cref="ServerFailure"/> make a name misbehave.</remarks>
public sealed class LoopbackDnsServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Name, RecordType Type), List<DnsRecordBase>> _records = new();
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _timeouts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _failures = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<(string Name, RecordType Type)> _queries = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private DnsServer? _server;

    private LoopbackDnsServer()
    {
    }

    /// <summary>The UDP and TCP port the server answers on.</summary>
    public int Port { get; private set; }

    /// <summary>127.0.0.1 and <see cref="Port"/>.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>Every query received so far (name without trailing dot, lower case; record type), in arrival order.</summary>
    public IReadOnlyList<(string Name, RecordType Type)> Queries => [.. _queries];

    /// <summary>Starts a server on a free port shared by UDP and TCP.</summary>
    public static LoopbackDnsServer Start()
    {
        var server = new LoopbackDnsServer();
        Exception? last = null;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            int port;
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }

            var endPoint = new IPEndPoint(IPAddress.Loopback, port);
            var dns = new DnsServer(new UdpServerTransport(endPoint), new TcpServerTransport(endPoint));
            dns.QueryReceived += server.OnQueryReceivedAsync;
            try
            {
                dns.Start();
                server._server = dns;
                server.Port = port;
                return server;
            }
            catch (SocketException ex)
            {
                last = ex;
                dns.Stop();
            }
        }

        throw new InvalidOperationException("could not bind a loopback DNS port", last);
    }

    /// <summary>Writes <c>Dnr:NameServers</c> (this server only), a short timeout and one retry into a host config.</summary>
    public void Configure(JsonNode config, int timeoutSeconds = 1, int retries = 1)
    {
        config["Dnr"] = new JsonObject
        {
            ["NameServers"] = new JsonArray(new JsonObject { ["Address"] = $"127.0.0.1:{Port}", ["Priority"] = 1 }),
            ["TimeoutSeconds"] = timeoutSeconds,
            ["Retries"] = retries,
            ["CacheSize"] = 1000,
        };
    }

    /// <summary>Adds an MX record.</summary>
    public LoopbackDnsServer AddMx(string domain, int preference, string exchange, int ttl = 60) =>
        Add(new MxRecord(Name(domain), ttl, (ushort)preference, exchange is "." or "" ? DomainName.Root : Name(exchange)));

    /// <summary>Adds a null MX (RFC 7505: preference 0, exchange ".").</summary>
    public LoopbackDnsServer AddNullMx(string domain, int ttl = 60) => Add(new MxRecord(Name(domain), ttl, 0, DomainName.Root));

    /// <summary>Adds an A or AAAA record, by the address family.</summary>
    public LoopbackDnsServer AddAddress(string host, IPAddress address, int ttl = 60) =>
        Add(address.AddressFamily == AddressFamily.InterNetworkV6
            ? new AaaaRecord(Name(host), ttl, address)
            : new ARecord(Name(host), ttl, address));

    /// <summary>Adds an A or AAAA record, by the address family.</summary>
    public LoopbackDnsServer AddAddress(string host, string address, int ttl = 60) => AddAddress(host, IPAddress.Parse(address), ttl);

    /// <summary>Adds a TXT record; strings longer than 255 characters are split as DNS requires.</summary>
    public LoopbackDnsServer AddTxt(string name, string text, int ttl = 60)
    {
        var chunks = new List<string>();
        for (var i = 0; i < text.Length; i += 255)
        {
            chunks.Add(text.Substring(i, Math.Min(255, text.Length - i)));
        }

        return Add(new TxtRecord(Name(name), ttl, chunks.Count == 0 ? [string.Empty] : chunks));
    }

    /// <summary>Adds a PTR record for an address.</summary>
    public LoopbackDnsServer AddPtr(IPAddress address, string host, int ttl = 60) =>
        Add(new PtrRecord(address.GetReverseLookupDomain(), ttl, Name(host)));

    /// <summary>Makes queries for the name go unanswered (the client times out).</summary>
    public LoopbackDnsServer TimeOut(string name)
    {
        _timeouts[Key(name)] = 0;
        return this;
    }

    /// <summary>Makes queries for the name answer SERVFAIL.</summary>
    public LoopbackDnsServer ServerFailure(string name)
    {
        _failures[Key(name)] = 0;
        return this;
    }

    /// <summary>Forgets every record, failure and recorded query.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
            _names.Clear();
        }

        _timeouts.Clear();
        _failures.Clear();
        _queries.Clear();
    }

    /// <summary>How many queries for the name and type arrived.</summary>
    public int QueryCount(string name, RecordType type) => _queries.Count(q => q.Name == Key(name) && q.Type == type);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        try
        {
            _server?.Stop();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            // ARSoft's Stop waits for its listener tasks, which end cancelled when a query was in flight: stopped all the same.
        }

        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }

    private LoopbackDnsServer Add(DnsRecordBase record)
    {
        var key = Key(record.Name.ToString());
        lock (_gate)
        {
            _names[key] = 0;
            _records.GetOrAdd((key, record.RecordType), _ => []).Add(record);
        }

        return this;
    }

    private static DomainName Name(string name) => DomainName.Parse(name.TrimEnd('.'));

    private static string Key(string name) => name.TrimEnd('.').ToLowerInvariant();

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query || query.Questions.Count != 1)
        {
            return;
        }

        var question = query.Questions[0];
        var key = Key(question.Name.ToString());
        _queries.Enqueue((key, question.RecordType));
        if (_timeouts.ContainsKey(key))
        {
            // Hold the query until the server stops, so the client sees no answer at all.
            try
            {
                await Task.Delay(Timeout.Infinite, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }

            return;
        }

        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        if (_failures.ContainsKey(key))
        {
            response.ReturnCode = ReturnCode.ServerFailure;
            e.Response = response;
            return;
        }

        lock (_gate)
        {
            if (_records.TryGetValue((key, question.RecordType), out var records))
            {
                response.AnswerRecords.AddRange(records);
            }
            else if (question.RecordType == RecordType.Any)
            {
                response.AnswerRecords.AddRange(_records.Where(r => r.Key.Name == key).SelectMany(r => r.Value));
            }

            response.ReturnCode = _names.ContainsKey(key) ? ReturnCode.NoError : ReturnCode.NxDomain;
        }

        e.Response = response;
    }
}
