namespace Extensible.Processing.Filters;

/// <summary>The built-in filters' settings: <c>Services:processing:Options:Filters</c>; every filter is off until enabled.</summary>
public sealed class ProcessingFilterOptions
{
    /// <summary>The <c>Filters</c> section.</summary>
    public BuiltInFilterOptions Filters { get; set; } = new();
}

/// <summary>One entry per built-in filter.</summary>
public sealed class BuiltInFilterOptions
{
    /// <summary>SPF (RFC 7208) on mail from unauthenticated clients.</summary>
    public SpfFilterOptions Spf { get; set; } = new();

    /// <summary>DKIM signature verification.</summary>
    public DkimVerifyOptions DkimVerify { get; set; } = new();

    /// <summary>DKIM signing of mail from authenticated senders.</summary>
    public DkimSignOptions DkimSign { get; set; } = new();

    /// <summary>DNS block lists checked when a client connects.</summary>
    public DnsblOptions Dnsbl { get; set; } = new();

    /// <summary>Size and attachment policy.</summary>
    public ContentPolicyOptions ContentPolicy { get; set; } = new();

    /// <summary>ClamAV's clamd (INSTREAM).</summary>
    public ClamdOptions Clamd { get; set; } = new();

    /// <summary>SpamAssassin's spamd (SPAMC protocol).</summary>
    public SpamdOptions Spamd { get; set; } = new();
}

/// <summary>What a filter does with a message it matched.</summary>
public enum MatchAction
{
    /// <summary>Refuse it (5xx).</summary>
    Reject,

    /// <summary>Accept it and drop it.</summary>
    Discard,

    /// <summary>Hold it for an administrator.</summary>
    Quarantine,

    /// <summary>Only mark it with headers and pass it on.</summary>
    Header,
}

/// <summary>SPF settings.</summary>
public sealed class SpfFilterOptions
{
    /// <summary>True to check SPF.</summary>
    public bool Enabled { get; set; }

    /// <summary>True to refuse mail whose SPF result is <c>fail</c> (550 5.7.23); false only records it.</summary>
    public bool RejectOnFail { get; set; }

    /// <summary>True to refuse mail whose SPF record is broken (550 5.7.24), as AXIGEN does.</summary>
    public bool RejectOnPermError { get; set; }

    /// <summary>True to defer mail when SPF's DNS lookups fail (451 4.7.24), as AXIGEN does.</summary>
    public bool DeferOnTempError { get; set; }

    /// <summary>Also check mail from authenticated senders.</summary>
    public bool CheckAuthenticated { get; set; }
}

/// <summary>DKIM verification settings.</summary>
public sealed class DkimVerifyOptions
{
    /// <summary>True to verify DKIM signatures.</summary>
    public bool Enabled { get; set; }

    /// <summary>Most signatures verified per message.</summary>
    public int MaxSignatures { get; set; } = 5;
}

/// <summary>DKIM signing settings.</summary>
public sealed class DkimSignOptions
{
    /// <summary>True to sign mail from authenticated senders whose From domain has a key.</summary>
    public bool Enabled { get; set; }

    /// <summary>Keys per signing domain.</summary>
    public List<DkimKeyOptions> Keys { get; set; } = [];

    /// <summary>The headers signed when present and <see cref="Headers"/> is empty.</summary>
    public static IReadOnlyList<string> DefaultHeaders { get; } = ["From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"];

    /// <summary>Headers signed when present; empty signs <see cref="DefaultHeaders"/> (a list in config replaces them).</summary>
    public List<string> Headers { get; set; } = [];

    /// <summary>The headers actually signed.</summary>
    public IReadOnlyList<string> EffectiveHeaders => Headers.Count > 0 ? Headers : DefaultHeaders;
}

/// <summary>One DKIM signing key.</summary>
public sealed class DkimKeyOptions
{
    /// <summary>The signing domain (d=); mail whose From is in this domain or a subdomain is signed.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The selector (s=).</summary>
    public string Selector { get; set; } = "";

    /// <summary>Path of the PEM private key (RSA), relative to the data directory when not absolute.</summary>
    public string PrivateKeyPath { get; set; } = "";
}

/// <summary>DNSBL settings.</summary>
public sealed class DnsblOptions
{
    /// <summary>True to check connecting clients.</summary>
    public bool Enabled { get; set; }

    /// <summary>Zones asked, for example <c>zen.spamhaus.org</c>.</summary>
    public List<string> Zones { get; set; } = [];

    /// <summary>Listeners checked; empty checks <c>mx</c> only (submission clients authenticate instead).</summary>
    public List<string> Listeners { get; set; } = [];

    /// <summary>The listeners actually checked.</summary>
    public IReadOnlyList<string> EffectiveListeners => Listeners.Count > 0 ? Listeners : ["mx"];

    /// <summary>Client addresses never checked (exact addresses).</summary>
    public List<string> Exempt { get; set; } = [];

    /// <summary>Reply text; <c>{ip}</c>, <c>{zone}</c> and <c>{reason}</c> are replaced.</summary>
    public string Message { get; set; } = "Service unavailable; client [{ip}] listed in {zone}{reason}";
}

/// <summary>Size and attachment policy.</summary>
public sealed class ContentPolicyOptions
{
    /// <summary>True to apply the policy.</summary>
    public bool Enabled { get; set; }

    /// <summary>Largest message in bytes; 0 for no limit.</summary>
    public long MaxMessageSize { get; set; }

    /// <summary>Attachment file extensions refused (with or without the dot, any case).</summary>
    public List<string> ForbiddenExtensions { get; set; } = [];

    /// <summary>Largest single attachment in bytes (encoded); 0 for no limit.</summary>
    public long MaxAttachmentSize { get; set; }
}

/// <summary>Settings shared by socket filters.</summary>
public abstract class SocketFilterOptions
{
    /// <summary>True to run the filter.</summary>
    public bool Enabled { get; set; }

    /// <summary><c>host:port</c>, <c>[v6]:port</c> or <c>unix:/path</c>.</summary>
    public string Address { get; set; } = "";

    /// <summary>Seconds allowed for the whole exchange.</summary>
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Largest message sent to the scanner; larger ones pass unscanned (and are marked so).</summary>
    public long MaxScanSize { get; set; } = 25 * 1024 * 1024;
}

/// <summary>clamd settings.</summary>
public sealed class ClamdOptions : SocketFilterOptions
{
    /// <summary>What to do with an infected message.</summary>
    public MatchAction ActionOnMatch { get; set; } = MatchAction.Reject;

    /// <summary>True to add <c>X-Virus-Scanned</c> to clean messages.</summary>
    public bool AddHeaders { get; set; } = true;
}

/// <summary>spamd settings.</summary>
public sealed class SpamdOptions : SocketFilterOptions
{
    /// <summary>User name sent to spamd (its per-user preferences).</summary>
    public string User { get; set; } = "extensible";

    /// <summary>What to do with a message spamd calls spam.</summary>
    public MatchAction ActionOnMatch { get; set; } = MatchAction.Header;

    /// <summary>Score at or above which a message is refused whatever <see cref="ActionOnMatch"/> says; 0 for never.</summary>
    public double RejectScore { get; set; }
}
