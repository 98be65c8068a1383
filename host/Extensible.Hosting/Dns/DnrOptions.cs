namespace Extensible.Hosting.Dns;

/// <summary>The <c>Dnr</c> section: AXIGEN's Domain Name Resolver settings.</summary>
public sealed class DnrOptions
{
    /// <summary>Name servers; empty uses the system's resolvers.</summary>
    public List<NameServerOptions> NameServers { get; set; } = [];

    /// <summary>Seconds to wait for the first answer; doubled on each retry.</summary>
    public int TimeoutSeconds { get; set; } = 2;

    /// <summary>Retries per name server after the first attempt.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>Most cached answers per record type.</summary>
    public int CacheSize { get; set; } = 1000;
}

/// <summary>A name server and its priority (lower is asked first).</summary>
public sealed class NameServerOptions
{
    /// <summary><c>ip</c> or <c>ip:port</c> (<c>[v6]:port</c>).</summary>
    public string Address { get; set; } = "";

    /// <summary>Lower is asked first.</summary>
    public int Priority { get; set; } = 1;
}
