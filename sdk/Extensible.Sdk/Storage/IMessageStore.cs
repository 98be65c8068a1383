using Extensible.Sdk.Users;

namespace Extensible.Sdk.Storage;

/// <summary>The message store: per-account folders and messages; one provider runs, the Storage plugin by default.</summary>
public interface IMessageStore
{
    /// <summary>Opens an account's mailbox (all its folders), creating the default folders on first use.</summary>
    ValueTask<IMailbox> OpenMailboxAsync(MailUser user, CancellationToken cancellationToken = default);

    /// <summary>Stores one message for several local recipients, durably, before returning; stored once and shared.</summary>
    /// <remarks>Each recipient gets its own result; a quota or folder failure of one does not fail the others.</remarks>
    ValueTask<IReadOnlyList<LocalDeliveryResult>> DeliverAsync(IReadOnlyList<LocalDelivery> deliveries, Stream content, DateTimeOffset internalDate, CancellationToken cancellationToken = default);

    /// <summary>Calls <paramref name="onChange"/> after each committed change to the account, in commit order; dispose to stop.</summary>
    /// <remarks>The callback runs on the committing thread; keep it short (signal a channel) and never throw.</remarks>
    IDisposable WatchChanges(MailUser user, Action<MailboxChange> onChange);
}

/// <summary>One recipient of a local delivery.</summary>
/// <param name="User">The account.</param>
/// <param name="FolderPath">Target folder; a missing folder other than INBOX falls back to INBOX.</param>
/// <param name="Flags">Flags to set on the stored copy.</param>
/// <param name="Keywords">Keywords to set, or null.</param>
public sealed record LocalDelivery(MailUser User, string FolderPath = "INBOX", StoreFlags Flags = StoreFlags.None, IReadOnlyList<string>? Keywords = null);

/// <summary>The outcome of a local delivery for one recipient.</summary>
public enum LocalDeliveryStatus
{
    /// <summary>Stored durably.</summary>
    Delivered,

    /// <summary>Over quota (RFC 3463 5.2.2 / 4.2.2, by the server's policy).</summary>
    QuotaExceeded,

    /// <summary>A temporary failure; retry later.</summary>
    TemporaryFailure,

    /// <summary>A permanent failure (for example a disabled account).</summary>
    PermanentFailure,
}

/// <summary>What happened to one recipient of <see cref="IMessageStore.DeliverAsync"/>.</summary>
/// <param name="Delivery">The request.</param>
/// <param name="Status">The outcome.</param>
/// <param name="Uid">UID of the stored copy, or 0.</param>
/// <param name="Error">Text for logs and bounces, or null.</param>
public sealed record LocalDeliveryResult(LocalDelivery Delivery, LocalDeliveryStatus Status, uint Uid, string? Error);
