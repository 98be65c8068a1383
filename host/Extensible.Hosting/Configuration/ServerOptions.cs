namespace Extensible.Hosting.Configuration;

/// <summary>The <c>Server</c> section: identity, folders and the running services.</summary>
public sealed class ServerOptions
{
    /// <summary>The server's host name, used in greetings and Received headers.</summary>
    public string Name { get; set; } = "localhost";

    /// <summary>The primary local domain.</summary>
    public string PrimaryDomain { get; set; } = "localhost";

    /// <summary>Where the server keeps its data; relative paths are taken from the config file's folder.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Where plugin folders live; null finds <c>plugin-bin</c> in the working directory or above the executable.</summary>
    public string? PluginDirectory { get; set; }

    /// <summary>Service ids to run; null runs every plugin found.</summary>
    public List<string>? RunningServices { get; set; }

    /// <summary>Default TLS certificate for every listener without its own.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>When set, replaces the address of every plugin-default listener (tests use <c>127.0.0.1:0</c>).</summary>
    public string? DefaultListenerAddress { get; set; }

    /// <summary>Seconds open sessions get to finish on shutdown before they are closed.</summary>
    public int ShutdownTimeout { get; set; } = 10;
}

/// <summary>A PEM certificate and key.</summary>
public sealed class TlsOptions
{
    /// <summary>Path of the PEM certificate (chain), or null.</summary>
    public string? Certificate { get; set; }

    /// <summary>Path of the PEM private key, or null when the certificate file holds it.</summary>
    public string? PrivateKey { get; set; }
}
