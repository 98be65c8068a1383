namespace Extensible.Imap;

/// <summary>Options of the IMAP service, bound from <c>Services:imap:Options</c>.</summary>
public sealed class ImapOptions
{
    /// <summary>Allows LOGIN and plain-text SASL on connections without TLS (AXIGEN's allowPlainLogin); off by default.</summary>
    public bool PlainConnAllowLogin { get; set; }

    /// <summary>The largest message APPEND accepts, in bytes; advertised as APPENDLIMIT.</summary>
    public long MaxLiteralSize { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most bytes one APPEND command may spool over all its messages (MULTIAPPEND), so one command cannot fill the disk.</summary>
    public long MaxAppendTotal { get; set; } = 256L * 1024 * 1024;

    /// <summary>The largest literal accepted in commands other than APPEND, in bytes.</summary>
    public int MaxCommandLiteralSize { get; set; } = 64 * 1024;

    /// <summary>The longest command line accepted, in bytes, without its literals.</summary>
    public int MaxLineLength { get; set; } = 64 * 1024;

    /// <summary>Most bytes a command may hold in memory (lines plus small literals); larger APPEND literals spool to disk.</summary>
    public int MaxCommandMemory { get; set; } = 1024 * 1024;

    /// <summary>Literal size above which an APPEND message is spooled to a temporary file while it arrives.</summary>
    public int SpoolThreshold { get; set; } = 64 * 1024;

    /// <summary>Seconds an IDLE command may last before the server logs the client out (RFC 9051 asks for at least 30 minutes).</summary>
    public int IdleTimeout { get; set; } = 1800;

    /// <summary>Seconds between <c>* OK Still here</c> keepalives during IDLE; 0 disables them.</summary>
    public int IdleKeepalive { get; set; } = 600;

    /// <summary>Seconds a non-IDLE session may stay silent before autologout, and a client may read no responses before it is dropped; 0 leaves both to the listener's idle timeout.</summary>
    public int AutoLogout { get; set; } = 1800;

    /// <summary>Bytes of memory the process-wide cache of message header blocks and MIME summaries may use; 0 disables it.</summary>
    public long MessageCacheBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Seconds a connection may stay silent before it logs in; 0 leaves it to the listener's idle timeout (RFC 9051 5.4: shorter than <see cref="AutoLogout"/>).</summary>
    public int LoginTimeout { get; set; } = 120;

    /// <summary>Offers COMPRESS=DEFLATE (RFC 4978).</summary>
    public bool EnableCompress { get; set; } = true;
}
