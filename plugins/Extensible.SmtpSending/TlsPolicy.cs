namespace Extensible.SmtpSending;

/// <summary>How a connection to a remote server is secured.</summary>
public enum TlsPolicy
{
    /// <summary>STARTTLS when the peer offers it, plain otherwise.</summary>
    Opportunistic,

    /// <summary>STARTTLS is required; a peer without it is a temporary failure.</summary>
    Required,

    /// <summary>TLS from the first byte (SMTPS, port 465).</summary>
    Implicit,

    /// <summary>Never start TLS.</summary>
    None,
}
