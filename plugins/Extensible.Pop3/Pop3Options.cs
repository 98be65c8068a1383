namespace Extensible.Pop3;

/// <summary>The POP3 service's options (AXIGEN's pop3 section), bound from <c>Services:pop3:Options</c>.</summary>
public sealed class Pop3Options
{
    /// <summary>Allows USER/PASS and plain-text SASL on connections without TLS (AXIGEN's plainConnAllowLogin).</summary>
    public bool PlainConnAllowLogin { get; set; }

    /// <summary>Allows logins on TLS connections (AXIGEN's secureConnAllowLogin).</summary>
    public bool SecureConnAllowLogin { get; set; } = true;

    /// <summary>Offers STLS on plain listeners when a certificate is available (AXIGEN's allowStartTLS).</summary>
    public bool AllowStartTls { get; set; } = true;

    /// <summary>Lets only one POP3 session at a time open an account's maildrop (AXIGEN's pop3ExclusiveLock).</summary>
    public bool ExclusiveLock { get; set; }

    /// <summary>Greeting after <c>+OK </c>; <c>%D</c> is the server name and <c>%U</c> a unique RFC 1939 timestamp.</summary>
    public string Greeting { get; set; } = "Extensible POP3 server on %D ready %U";

    /// <summary>Least seconds between two logins of one account (RFC 2449 LOGIN-DELAY); 0 for none.</summary>
    public int LoginDelay { get; set; }

    /// <summary>Days the server keeps retrieved messages, advertised as RFC 2449 EXPIRE; null or negative for NEVER.</summary>
    public int? Expire { get; set; }

    /// <summary>Longest command line accepted, in bytes, without CRLF (RFC 2449 allows 255; SASL responses get more).</summary>
    public int MaxLineLength { get; set; } = 255;

    /// <summary>Seconds a command line (or SASL response) may take to arrive in full, counted from when the server starts waiting for it; past it the session ends (RFC 1939 autologout, at least 600).</summary>
    public int CommandTimeout { get; set; } = 600;

    /// <summary>Longest SASL response line accepted, in bytes.</summary>
    public int MaxAuthLineLength { get; set; } = 8192;

    /// <summary>Sets \Seen on retrieved messages in one store update at QUIT or disconnect; false (default) writes it right after each RETR, behind the session, so IMAP sees it at once.</summary>
    public bool DeferSeenUntilQuit { get; set; }

    /// <summary>Bytes read from the store per chunk while sending a message.</summary>
    public int ReadBufferSize { get; set; } = 64 * 1024;
}
