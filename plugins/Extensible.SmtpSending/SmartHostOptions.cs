namespace Extensible.SmtpSending;

/// <summary>A relay that takes mail instead of the destination's MX (AXIGEN's onRelay routing).</summary>
public sealed class SmartHostOptions
{
    /// <summary>Host name or IP address of the relay.</summary>
    public string Host { get; set; } = "";

    /// <summary>The relay's port.</summary>
    public int Port { get; set; } = 25;

    /// <summary>User name for SMTP AUTH, or null for none.</summary>
    public string? UserName { get; set; }

    /// <summary>Password for SMTP AUTH; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>TLS policy towards the relay; <see cref="TlsPolicy.Implicit"/> for port 465.</summary>
    public TlsPolicy Tls { get; set; } = TlsPolicy.Opportunistic;
}
