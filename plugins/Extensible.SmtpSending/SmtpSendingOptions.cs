namespace Extensible.SmtpSending;

/// <summary>The <c>Services:smtp-sending:Options</c> section.</summary>
public sealed class SmtpSendingOptions
{
    /// <summary>Port used for MX delivery (25 on the Internet; tests point it at another instance).</summary>
    public int Port { get; set; } = 25;

    /// <summary>Name sent in EHLO; empty uses the server name.</summary>
    public string? HeloName { get; set; }

    /// <summary>Seconds allowed to open a TCP connection to one address.</summary>
    public int ConnectTimeoutSeconds { get; set; } = 30;

    /// <summary>Seconds allowed for each SMTP reply (RFC 5321 suggests minutes; the DATA end waits this long too).</summary>
    public int CommandTimeoutSeconds { get; set; } = 300;

    /// <summary>Most connections open at once to one destination domain.</summary>
    public int MaxConnectionsPerDomain { get; set; } = 5;

    /// <summary>Most messages sent over one connection before it is closed.</summary>
    public int MaxMessagesPerConnection { get; set; } = 100;

    /// <summary>Seconds an unused connection stays open for the next message to the same domain.</summary>
    public int IdleTimeoutSeconds { get; set; } = 30;

    /// <summary>Most addresses tried for one delivery attempt, across all MX hosts.</summary>
    public int MaxAddressesPerAttempt { get; set; } = 6;

    /// <summary>STARTTLS policy for MX delivery.</summary>
    public TlsPolicy Tls { get; set; } = TlsPolicy.Opportunistic;

    /// <summary>True to check peer certificates (chain and name); false accepts self-signed ones, as opportunistic TLS usually does.</summary>
    public bool VerifyCertificates { get; set; }

    /// <summary>More host names that mean this server; an MX pointing at one of them is a loop (<c>localhost</c> and the server name always count).</summary>
    public List<string> LocalHostNames { get; set; } = [];

    /// <summary>The relay for every domain without its own entry in <see cref="SmartHosts"/>, or null for MX delivery.</summary>
    public SmartHostOptions? SmartHost { get; set; }

    /// <summary>Relays per destination domain (key: domain, or <c>*.domain</c> for its subdomains).</summary>
    public Dictionary<string, SmartHostOptions> SmartHosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
