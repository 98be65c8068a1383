using Extensible.Sdk.Users;

namespace Extensible.Sdk.Storage;

/// <summary>One account's folders, opened for a session; dispose it when the session ends.</summary>
/// <remarks>Names are data, never paths: invalid names fail with <see cref="StoreError.InvalidName"/>.</remarks>
public interface IMailbox : IAsyncDisposable
{
    /// <summary>The account.</summary>
    MailUser User { get; }

    /// <summary>Every folder of the account, INBOX first.</summary>
    ValueTask<IReadOnlyList<FolderInfo>> ListFoldersAsync(CancellationToken cancellationToken = default);

    /// <summary>Paths the user subscribed to, whether they exist or not.</summary>
    ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a folder and any missing parents; fails with <see cref="StoreError.AlreadyExists"/> when it exists.</summary>
    ValueTask<FolderInfo> CreateFolderAsync(string path, SpecialUse specialUse = SpecialUse.None, CancellationToken cancellationToken = default);

    /// <summary>Deletes a folder and its messages; INBOX cannot be deleted.</summary>
    ValueTask DeleteFolderAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Renames a folder and its children; renaming INBOX moves its messages to the new folder (RFC 9051 6.3.6).</summary>
    ValueTask RenameFolderAsync(string path, string newPath, CancellationToken cancellationToken = default);

    /// <summary>Adds or removes a subscription.</summary>
    ValueTask SetSubscribedAsync(string path, bool subscribed, CancellationToken cancellationToken = default);

    /// <summary>A folder's counters, or null when it does not exist.</summary>
    ValueTask<FolderStatus?> GetStatusAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Opens a folder for reading and changing its messages, or null when it does not exist.</summary>
    ValueTask<IMessageFolder?> OpenFolderAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Appends a message durably to a folder without opening it (IMAP APPEND).</summary>
    ValueTask<AppendResult> AppendAsync(string path, Stream content, StoreFlags flags, IReadOnlyCollection<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken = default);

    /// <summary>The account's quota use (RFC 9208).</summary>
    ValueTask<QuotaUsage> GetQuotaAsync(CancellationToken cancellationToken = default);
}
