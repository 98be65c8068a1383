using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;
using Extensible.Storage.Engine;
using Extensible.Storage.Messages;
using Microsoft.Data.Sqlite;

namespace Extensible.Storage;

/// <summary>An open folder of the embedded store; reads see committed state, writes are durable on return.</summary>
internal sealed class MessageFolder(StorageEngine engine, MailUser user, MessageWrites.FolderRow folder) : IMessageFolder
{
    private const string SummaryColumns = "uid, size, flags, keywords, internal_date, modseq";

    /// <inheritdoc />
    public string Path => folder.Path;

    /// <inheritdoc />
    public uint UidValidity => folder.UidValidity;

    /// <inheritdoc />
    public ValueTask<FolderStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        return ValueTask.FromResult(Mailbox.ReadStatus(connection, folder.Id));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MessageSummary>> ListAsync(uint fromUid = 1, uint toUid = uint.MaxValue, CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        IReadOnlyList<MessageSummary> result = connection.Query($"SELECT {SummaryColumns} FROM messages WHERE folder_id = @f AND uid BETWEEN @a AND @b ORDER BY uid",
            ReadSummary, ("@f", folder.Id), ("@a", (long)fromUid), ("@b", (long)toUid));
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MessageSummary>> ListChangedSinceAsync(ulong modSeq, CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        IReadOnlyList<MessageSummary> result = connection.Query($"SELECT {SummaryColumns} FROM messages WHERE folder_id = @f AND modseq > @m ORDER BY uid",
            ReadSummary, ("@f", folder.Id), ("@m", (long)Math.Min(modSeq, long.MaxValue)));
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<uint>> ListExpungedSinceAsync(ulong modSeq, CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        IReadOnlyList<uint> result = connection.Query("SELECT uid FROM expunged WHERE folder_id = @f AND modseq > @m ORDER BY uid",
            r => (uint)r.GetInt64(0), ("@f", folder.Id), ("@m", (long)Math.Min(modSeq, long.MaxValue)));
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<Stream> OpenContentAsync(uint uid, CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        var row = connection.Query("SELECT b.file, b.content FROM messages m JOIN blobs b ON b.id = m.blob_id WHERE m.folder_id = @f AND m.uid = @u",
            r => (File: r.IsDBNull(0) ? null : r.GetString(0), Content: r.IsDBNull(1) ? null : (byte[])r[1]), ("@f", folder.Id), ("@u", (long)uid));
        if (row.Count == 0)
        {
            throw new StoreException(StoreError.NotFound, "no such message");
        }

        if (row[0].Content is { } inline)
        {
            return ValueTask.FromResult<Stream>(new MemoryStream(inline, writable: false));
        }

        try
        {
            return ValueTask.FromResult<Stream>(new FileStream(System.IO.Path.Combine(engine.MessagesDirectory, row[0].File!), FileMode.Open, FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (FileNotFoundException ex)
        {
            throw new StoreException(StoreError.NotFound, "no such message", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<AppendResult> AppendAsync(Stream content, StoreFlags flags, IReadOnlyCollection<string> keywords, DateTimeOffset internalDate,
        CancellationToken cancellationToken = default)
    {
        var validKeywords = Keywords.Join(Keywords.Validate(keywords));
        using (var connection = engine.OpenReader())
        {
            var over = connection.Scalar(
                "SELECT 1 FROM accounts WHERE id = @a AND ((quota_bytes > 0 AND used_bytes >= quota_bytes) OR (quota_messages > 0 AND used_messages >= quota_messages))",
                ("@a", user.Id));
            if (over is not null)
            {
                throw new StoreException(StoreError.QuotaExceeded, "the mailbox is over its quota");
            }
        }

        var blob = await engine.Blobs.WriteAsync(content, cancellationToken);
        try
        {
            return await engine.WriteAsync(context =>
            {
                var current = MessageWrites.FindFolderById(context, folder.Id) ?? throw new StoreException(StoreError.NotFound, "the folder no longer exists");
                MessageWrites.CheckQuota(context, user.Id, blob.Size, 1);
                var blobId = MessageWrites.InsertBlob(context, blob);
                return MessageWrites.AddMessage(context, user.Id, current, blobId, blob.Size, flags, validKeywords, internalDate);
            }, cancellationToken, blob.Directory);
        }
        catch
        {
            blob.Discard();
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<FlagUpdateResult> UpdateFlagsAsync(IReadOnlyCollection<uint> uids, FlagChange change, ulong? unchangedSince = null,
        CancellationToken cancellationToken = default)
    {
        var changeKeywords = Keywords.Validate(change.Keywords);
        var wanted = uids.Distinct().Order().ToList();
        return await engine.WriteAsync(context =>
        {
            var current = MessageWrites.FindFolderById(context, folder.Id) ?? throw new StoreException(StoreError.NotFound, "the folder no longer exists");
            var updated = new List<MessageSummary>();
            var modified = new List<uint>();
            var changed = new List<uint>();
            long? modSeq = null;
            foreach (var uid in wanted)
            {
                var row = context.Query($"SELECT {SummaryColumns} FROM messages WHERE folder_id = @f AND uid = @u", ReadSummary, ("@f", folder.Id), ("@u", (long)uid))
                    .FirstOrDefault();
                if (row is null)
                {
                    continue;
                }

                if (unchangedSince is { } since && row.ModSeq > since)
                {
                    modified.Add(uid);
                    continue;
                }

                var flags = change.Operation switch
                {
                    FlagOperation.Add => row.Flags | change.Flags,
                    FlagOperation.Remove => row.Flags & ~change.Flags,
                    _ => change.Flags,
                };
                var keywords = Keywords.Apply([.. row.Keywords], change.Operation, changeKeywords);
                if (flags == row.Flags && keywords.SequenceEqual(row.Keywords, StringComparer.Ordinal))
                {
                    updated.Add(row);
                    continue;
                }

                modSeq ??= (long)context.Scalar("UPDATE folders SET highest_modseq = highest_modseq + 1 WHERE id = @f RETURNING highest_modseq", ("@f", folder.Id))!;
                context.Execute("UPDATE messages SET flags = @fl, keywords = @k, modseq = @m WHERE folder_id = @f AND uid = @u",
                    ("@fl", (int)flags), ("@k", Keywords.Join(keywords)), ("@m", modSeq.Value), ("@f", folder.Id), ("@u", (long)uid));
                updated.Add(row with { Flags = flags, Keywords = keywords, ModSeq = (ulong)modSeq.Value });
                changed.Add(uid);
            }

            if (changed.Count > 0)
            {
                context.Publish(user.Id, new MailboxChange(current.Path, MailboxChangeKind.FlagsChanged, changed, (ulong)modSeq!.Value));
            }

            return new FlagUpdateResult(updated, modified);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyCollection<uint>? uids = null, CancellationToken cancellationToken = default)
    {
        var only = uids?.ToHashSet();
        return await engine.WriteAsync<IReadOnlyList<uint>>(context =>
        {
            var current = MessageWrites.FindFolderById(context, folder.Id) ?? throw new StoreException(StoreError.NotFound, "the folder no longer exists");
            var deleted = context.Query("SELECT uid FROM messages WHERE folder_id = @f AND (flags & 8) <> 0 ORDER BY uid", r => (uint)r.GetInt64(0), ("@f", folder.Id))
                .Where(uid => only is null || only.Contains(uid)).ToList();
            var modSeq = MessageWrites.RemoveMessages(context, user.Id, current, deleted, engine.MessagesDirectory);
            if (deleted.Count > 0)
            {
                context.Publish(user.Id, new MailboxChange(current.Path, MailboxChangeKind.Expunged, deleted, modSeq));
            }

            return deleted;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<CopyResult> CopyAsync(IReadOnlyCollection<uint> uids, string targetPath, CancellationToken cancellationToken = default) =>
        CopyOrMoveAsync(uids, targetPath, move: false, cancellationToken);

    /// <inheritdoc />
    public ValueTask<CopyResult> MoveAsync(IReadOnlyCollection<uint> uids, string targetPath, CancellationToken cancellationToken = default) =>
        CopyOrMoveAsync(uids, targetPath, move: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask<string?> GetCachedAsync(uint uid, string key, CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        var value = connection.Scalar("SELECT c.value FROM messages m JOIN message_cache c ON c.blob_id = m.blob_id WHERE m.folder_id = @f AND m.uid = @u AND c.key = @k",
            ("@f", folder.Id), ("@u", (long)uid), ("@k", key));
        return ValueTask.FromResult((string?)value);
    }

    /// <inheritdoc />
    public async ValueTask SetCachedAsync(uint uid, string key, string value, CancellationToken cancellationToken = default)
    {
        await engine.WriteAsync(context => context.Execute(
            "INSERT OR REPLACE INTO message_cache(blob_id, key, value) SELECT blob_id, @k, @v FROM messages WHERE folder_id = @f AND uid = @u",
            ("@k", key), ("@v", value), ("@f", folder.Id), ("@u", (long)uid)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async ValueTask<CopyResult> CopyOrMoveAsync(IReadOnlyCollection<uint> uids, string targetPath, bool move, CancellationToken cancellationToken)
    {
        var target = FolderName.Normalize(targetPath);
        var wanted = uids.Distinct().Order().ToList();
        return await engine.WriteAsync(context =>
        {
            var source = MessageWrites.FindFolderById(context, folder.Id) ?? throw new StoreException(StoreError.NotFound, "the folder no longer exists");
            var destination = MessageWrites.FindFolder(context, user.Id, target) ?? throw new StoreException(StoreError.NotFound, "the target folder does not exist");
            var rows = new List<(uint Uid, long BlobId, long Size, StoreFlags Flags, string Keywords, long Date)>();
            foreach (var uid in wanted)
            {
                rows.AddRange(context.Query("SELECT uid, blob_id, size, flags, keywords, internal_date FROM messages WHERE folder_id = @f AND uid = @u",
                    r => ((uint)r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), (StoreFlags)r.GetInt32(3), r.GetString(4), r.GetInt64(5)), ("@f", folder.Id), ("@u", (long)uid)));
            }

            if (!move && destination.Id != source.Id)
            {
                MessageWrites.CheckQuota(context, user.Id, rows.Sum(r => r.Size), rows.Count);
            }

            var targetUids = new List<uint>(rows.Count);
            ulong lastModSeq = 0;
            foreach (var row in rows)
            {
                var appended = MessageWrites.AddMessage(context, user.Id, destination, row.BlobId, row.Size, row.Flags, row.Keywords,
                    DateTimeOffset.FromUnixTimeMilliseconds(row.Date), publish: false);
                targetUids.Add(appended.Uid);
                lastModSeq = appended.ModSeq;
            }

            var sourceUids = rows.Select(r => r.Uid).ToList();
            if (rows.Count > 0)
            {
                context.Publish(user.Id, new MailboxChange(destination.Path, MailboxChangeKind.Appended, targetUids, lastModSeq));
                if (move)
                {
                    var modSeq = MessageWrites.RemoveMessages(context, user.Id, source, sourceUids, engine.MessagesDirectory);
                    context.Publish(user.Id, new MailboxChange(source.Path, MailboxChangeKind.Expunged, sourceUids, modSeq));
                }
            }

            return new CopyResult(destination.UidValidity, sourceUids, targetUids);
        }, cancellationToken);
    }

    private static MessageSummary ReadSummary(SqliteDataReader r) =>
        new((uint)r.GetInt64(0), r.GetInt64(1), (StoreFlags)r.GetInt32(2), Keywords.Parse(r.GetString(3)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), (ulong)r.GetInt64(5));
}
