namespace Extensible.Sdk.Storage;

/// <summary>An open folder; every method reads or changes committed state, and every change is durable on return.</summary>
public interface IMessageFolder : IAsyncDisposable
{
    /// <summary>The folder's path.</summary>
    string Path { get; }

    /// <summary>The folder's UIDVALIDITY; UIDs are stable while it is unchanged.</summary>
    uint UidValidity { get; }

    /// <summary>The folder's counters now.</summary>
    ValueTask<FolderStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Summaries of the messages with UIDs in [<paramref name="fromUid"/>, <paramref name="toUid"/>], ascending by UID.</summary>
    ValueTask<IReadOnlyList<MessageSummary>> ListAsync(uint fromUid = 1, uint toUid = uint.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Messages whose MODSEQ is greater than <paramref name="modSeq"/> (CONDSTORE CHANGEDSINCE).</summary>
    ValueTask<IReadOnlyList<MessageSummary>> ListChangedSinceAsync(ulong modSeq, CancellationToken cancellationToken = default);

    /// <summary>UIDs expunged after <paramref name="modSeq"/>, ascending (QRESYNC VANISHED).</summary>
    ValueTask<IReadOnlyList<uint>> ListExpungedSinceAsync(ulong modSeq, CancellationToken cancellationToken = default);

    /// <summary>Opens a message's bytes as a seekable read-only stream; <see cref="StoreError.NotFound"/> when expunged.</summary>
    ValueTask<Stream> OpenContentAsync(uint uid, CancellationToken cancellationToken = default);

    /// <summary>Appends a message durably.</summary>
    ValueTask<AppendResult> AppendAsync(Stream content, StoreFlags flags, IReadOnlyCollection<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken = default);

    /// <summary>Changes flags; with <paramref name="unchangedSince"/>, skips messages changed after it (RFC 7162 STORE).</summary>
    ValueTask<FlagUpdateResult> UpdateFlagsAsync(IReadOnlyCollection<uint> uids, FlagChange change, ulong? unchangedSince = null, CancellationToken cancellationToken = default);

    /// <summary>Removes messages flagged \Deleted (only among <paramref name="uids"/> when given) and returns their UIDs, ascending.</summary>
    ValueTask<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyCollection<uint>? uids = null, CancellationToken cancellationToken = default);

    /// <summary>Copies messages to another folder of the same account, keeping flags and internal dates.</summary>
    ValueTask<CopyResult> CopyAsync(IReadOnlyCollection<uint> uids, string targetPath, CancellationToken cancellationToken = default);

    /// <summary>Moves messages atomically to another folder of the same account (RFC 6851).</summary>
    ValueTask<CopyResult> MoveAsync(IReadOnlyCollection<uint> uids, string targetPath, CancellationToken cancellationToken = default);

    /// <summary>A value a protocol cached for a message (for example IMAP's BODYSTRUCTURE), or null.</summary>
    ValueTask<string?> GetCachedAsync(uint uid, string key, CancellationToken cancellationToken = default);

    /// <summary>Caches a value derived from a message's immutable bytes; dropped with the message.</summary>
    ValueTask SetCachedAsync(uint uid, string key, string value, CancellationToken cancellationToken = default);
}
