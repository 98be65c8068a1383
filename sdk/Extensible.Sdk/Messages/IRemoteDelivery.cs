namespace Extensible.Sdk.Messages;

/// <summary>Delivers to other servers (the SMTP Sending plugin); Processing calls it per destination domain.</summary>
public interface IRemoteDelivery
{
    /// <summary>Attempts delivery of one message to recipients of one domain; returns one result per recipient.</summary>
    /// <remarks>Never throws for a remote failure: a dead remote, a refused connection or a timeout is a temporary result.</remarks>
    ValueTask<IReadOnlyList<RemoteRecipientResult>> DeliverAsync(RemoteDeliveryRequest request, CancellationToken cancellationToken = default);
}

/// <summary>One message for recipients in one destination domain.</summary>
public sealed record RemoteDeliveryRequest
{
    /// <summary>The queue id, for logs.</summary>
    public required string QueueId { get; init; }

    /// <summary>The destination domain (all recipients share it).</summary>
    public required string Domain { get; init; }

    /// <summary>The envelope of the original message (reverse path, BODY, SMTPUTF8, DSN parameters).</summary>
    public required MessageEnvelope Envelope { get; init; }

    /// <summary>The recipients to attempt now.</summary>
    public required IReadOnlyList<EnvelopeRecipient> Recipients { get; init; }

    /// <summary>Opens the message as it is to be sent, from the start; may be called more than once.</summary>
    public required Func<CancellationToken, ValueTask<Stream>> OpenContentAsync { get; init; }

    /// <summary>True when the content has 8-bit bytes (so a downgrade is needed for peers without 8BITMIME).</summary>
    public bool Has8BitContent { get; init; }
}

/// <summary>The outcome of a remote attempt for one recipient.</summary>
public enum RemoteDeliveryStatus
{
    /// <summary>The remote server accepted the recipient and the message (2xx).</summary>
    Delivered,

    /// <summary>Try again later (4xx, connection failures, timeouts, DNS failures).</summary>
    TemporaryFailure,

    /// <summary>Do not retry (5xx, null MX, no such domain).</summary>
    PermanentFailure,
}

/// <summary>What happened to one recipient of a remote delivery.</summary>
/// <param name="Recipient">The recipient.</param>
/// <param name="Status">The outcome.</param>
/// <param name="Diagnostic">The remote reply or local reason, for logs and DSNs (for example <c>smtp; 550 5.1.1 No such user</c>).</param>
/// <param name="RemoteHost">The host that answered, or null.</param>
/// <param name="EnhancedCode">RFC 3463 status for the DSN, for example <c>5.1.1</c>.</param>
public sealed record RemoteRecipientResult(EnvelopeRecipient Recipient, RemoteDeliveryStatus Status, string Diagnostic, string? RemoteHost, string EnhancedCode);
