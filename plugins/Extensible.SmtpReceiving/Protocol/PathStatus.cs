namespace Extensible.SmtpReceiving.Protocol;

/// <summary>The outcome of parsing a reverse or forward path.</summary>
internal enum PathStatus
{
    /// <summary>A mailbox was parsed.</summary>
    Ok,

    /// <summary>The null path <c>&lt;&gt;</c>.</summary>
    Null,

    /// <summary>Not a valid path.</summary>
    Syntax,

    /// <summary>A local part without a domain (other than Postmaster).</summary>
    Unqualified,

    /// <summary>Non-ASCII characters without SMTPUTF8.</summary>
    NonAscii,
}
