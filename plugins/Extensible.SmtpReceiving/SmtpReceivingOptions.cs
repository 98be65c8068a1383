namespace Extensible.SmtpReceiving;

/// <summary>The plugin's options (<c>Services:smtp-receiving:Options</c>); sizes in bytes, times in seconds.</summary>
public sealed class SmtpReceivingOptions
{
    /// <summary>Largest message accepted (advertised as SIZE and enforced while reading DATA/BDAT).</summary>
    public long MaxMessageSize { get; set; } = 25 * 1024 * 1024;

    /// <summary>Most recipients per message; more get 452 4.5.3.</summary>
    public int MaxRecipients { get; set; } = 1000;

    /// <summary>A message already carrying this many Received: headers is refused as a mail loop (AXIGEN's maxReceivedHeaders).</summary>
    public int MaxReceivedHeaders { get; set; } = 30;

    /// <summary>Text after the server name in the 220 greeting.</summary>
    public string Greeting { get; set; } = "ESMTP Extensible";

    /// <summary>Client networks (CIDR or single addresses) allowed to relay without authentication; none by default, not even loopback.</summary>
    public List<string> RelayNetworks { get; set; } = [];

    /// <summary>Seconds to wait for a command before closing with 421 (RFC 5321 4.5.3.2.7 says at least 300).</summary>
    public int CommandTimeout { get; set; } = 300;

    /// <summary>Seconds to wait for each piece of DATA/BDAT content (RFC 5321 4.5.3.2.6 says at least 180).</summary>
    public int DataTimeout { get; set; } = 300;

    /// <summary>Messages up to this size are spooled in memory; larger ones go to a temporary file as they arrive.</summary>
    public int SpoolMemoryThreshold { get; set; } = 128 * 1024;

    /// <summary>When true, the Received: header names the authenticated account; by default only <c>with ESMTPA</c> tells.</summary>
    public bool ReceivedShowsAuthenticatedUser { get; set; }

    /// <summary>When true (default), an authenticated client may only use its own addresses (or the null sender) in MAIL FROM; others get 553 5.7.1.</summary>
    public bool RestrictSenderToAccount { get; set; } = true;
}
