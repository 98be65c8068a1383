using System.Net;
using Extensible.Sdk.Users;

namespace Extensible.Sdk.Messages;

/// <summary>What an SMTP hook may know of the session so far.</summary>
public sealed record SmtpSessionInfo
{
    /// <summary>The connection id, as in the logs.</summary>
    public required string ConnectionId { get; init; }

    /// <summary>The client's address.</summary>
    public required IPAddress ClientAddress { get; init; }

    /// <summary>The listener name (<c>mx</c>, <c>submission</c>, <c>smtps</c>).</summary>
    public required string Listener { get; init; }

    /// <summary>HELO/EHLO name, once given.</summary>
    public string? HeloName { get; init; }

    /// <summary>The authenticated account, once authenticated.</summary>
    public MailUser? AuthenticatedUser { get; init; }

    /// <summary>True when the session is encrypted.</summary>
    public bool Secure { get; init; }

    /// <summary>The reverse path, once MAIL FROM was accepted.</summary>
    public string? MailFrom { get; init; }

    /// <summary>State hooks keep for this session.</summary>
    public IDictionary<string, object?> Items { get; init; } = new Dictionary<string, object?>();
}
