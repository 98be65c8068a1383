using System.Net;
using Extensible.Sdk.Users;

namespace Extensible.Sdk.Messages;

/// <summary>How a message reached the server and where it goes; the SMTP envelope plus what was known of the client.</summary>
public sealed record MessageEnvelope
{
    /// <summary>The reverse path without brackets; empty for the null sender (bounces).</summary>
    public required string MailFrom { get; init; }

    /// <summary>The envelope recipients, each once, in RCPT order.</summary>
    public required IReadOnlyList<EnvelopeRecipient> Recipients { get; init; }

    /// <summary>Which way the message came in: <c>smtp</c>, <c>submission</c>, <c>webmail</c>, <c>rpop</c>, <c>dsn</c>, ...</summary>
    public required string Source { get; init; }

    /// <summary>The client's address, or null for internally generated mail.</summary>
    public IPAddress? ClientAddress { get; init; }

    /// <summary>The name the client gave in HELO/EHLO, or null.</summary>
    public string? HeloName { get; init; }

    /// <summary>The authenticated account, or null.</summary>
    public MailUser? AuthenticatedUser { get; init; }

    /// <summary>True when the client connection was encrypted.</summary>
    public bool Secure { get; init; }

    /// <summary>The BODY parameter (RFC 6152): <c>7BIT</c>, <c>8BITMIME</c> or <c>BINARYMIME</c>.</summary>
    public string Body { get; init; } = "7BIT";

    /// <summary>True when the client asked for SMTPUTF8 (RFC 6531).</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>DSN RET parameter (RFC 3461): <c>FULL</c>, <c>HDRS</c> or null.</summary>
    public string? DsnReturn { get; init; }

    /// <summary>DSN ENVID parameter (RFC 3461), decoded, or null.</summary>
    public string? DsnEnvelopeId { get; init; }

    /// <summary>Time the message was received.</summary>
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>One envelope recipient with its DSN parameters (RFC 3461).</summary>
/// <param name="Address">The forward path without brackets.</param>
/// <param name="Notify">NOTIFY: null (default), or a combination of <c>NEVER</c>, <c>SUCCESS</c>, <c>FAILURE</c>, <c>DELAY</c>.</param>
/// <param name="OriginalRecipient">ORCPT, as given (<c>rfc822;addr</c>), or null.</param>
public sealed record EnvelopeRecipient(string Address, IReadOnlyList<string>? Notify = null, string? OriginalRecipient = null);
