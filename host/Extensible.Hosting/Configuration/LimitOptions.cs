namespace Extensible.Hosting.Configuration;

/// <summary>AXIGEN's flow-control limits, shared by listeners and allow rules; 0 means no limit.</summary>
public class LimitOptions
{
    /// <summary>Open connections at once.</summary>
    public int MaxConnections { get; set; }

    /// <summary>Open connections at once from one peer address.</summary>
    public int PeerMaxConnections { get; set; }

    /// <summary>New connections per <see cref="TimeInterval"/>.</summary>
    public int MaxIntervalConnections { get; set; }

    /// <summary>Seconds of the window for <see cref="MaxIntervalConnections"/>.</summary>
    public int TimeInterval { get; set; }

    /// <summary>New connections from one peer per <see cref="PeerTimeInterval"/>.</summary>
    public int PeerMaxIntervalConnections { get; set; }

    /// <summary>Seconds of the window for <see cref="PeerMaxIntervalConnections"/>.</summary>
    public int PeerTimeInterval { get; set; }

    /// <summary>Seconds without input after which a connection is closed.</summary>
    public int IdleTimeout { get; set; }
}

/// <summary>An allow or deny rule (AXIGEN 3.3.2).</summary>
public sealed class RuleOptions : LimitOptions
{
    /// <summary>A single address, a range <c>a-b</c> or a CIDR block, IPv4 or IPv6.</summary>
    public string Address { get; set; } = "";

    /// <summary><c>Allow</c> or <c>Deny</c>.</summary>
    public string Action { get; set; } = "Allow";

    /// <summary>1 to 1000; the lowest number wins, deny wins a tie.</summary>
    public int Priority { get; set; } = 500;

    /// <summary>False to keep the rule without applying it.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>A listener of a service.</summary>
public sealed class ListenerOptions : LimitOptions
{
    /// <summary>The listener's name, seen by the protocol handler.</summary>
    public string Name { get; set; } = "";

    /// <summary>Bind address and port: <c>127.0.0.1:2525</c>, <c>[::1]:2525</c>, <c>*:25</c> (all addresses, IPv4 and IPv6).</summary>
    public string Address { get; set; } = "";

    /// <summary>True when TLS starts before the protocol greets.</summary>
    public bool ImplicitTls { get; set; }

    /// <summary>PEM certificate for this listener, or null for the server's.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM private key for this listener, or null.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>True to expect a PROXY protocol v1/v2 header first.</summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>Rules of this listener; they take precedence over the service's and the global ones.</summary>
    public List<RuleOptions> Rules { get; set; } = [];
}

/// <summary>Thread budget overrides for a service.</summary>
public sealed class ThreadOptions
{
    /// <summary>Worker threads kept ready, or null for the plugin's default.</summary>
    public int? MinThreads { get; set; }

    /// <summary>Most worker threads at once, or null for the plugin's default.</summary>
    public int? MaxThreads { get; set; }

    /// <summary>Most open connections, or null for the plugin's default.</summary>
    public int? MaxConnections { get; set; }
}

/// <summary>One entry under <c>Services</c>.</summary>
public sealed class ServiceOptions
{
    /// <summary>False to keep the plugin loaded but not started.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Thread budget overrides.</summary>
    public ThreadOptions Threads { get; set; } = new();

    /// <summary>Protocol errors before a session is dropped.</summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>Failed logins before a session is dropped and the peer slowed down.</summary>
    public int MaxAuthErrors { get; set; } = 3;

    /// <summary>Service-level rules.</summary>
    public List<RuleOptions> Rules { get; set; } = [];

    /// <summary>Listeners; null binds the plugin's defaults.</summary>
    public List<ListenerOptions>? Listeners { get; set; }
}
