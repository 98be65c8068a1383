using Extensible.Sdk.Storage;
using Extensible.Storage.Engine;

namespace Extensible.Storage.Messages;

/// <summary>Statements shared by the write operations on folders and messages; each runs inside a group-commit transaction.</summary>
internal static class MessageWrites
{
    /// <summary>The folders every new account gets, with their special use.</summary>
    public static readonly (string Path, SpecialUse Use)[] DefaultFolders =
    [
        ("INBOX", SpecialUse.None), ("Drafts", SpecialUse.Drafts), ("Sent", SpecialUse.Sent), ("Trash", SpecialUse.Trash),
        ("Junk", SpecialUse.Junk), ("Archive", SpecialUse.Archive),
    ];

    /// <summary>A folder row as writes need it.</summary>
    public sealed record FolderRow(long Id, string Path, uint UidValidity);

    /// <summary>Creates the default folders when the account has no INBOX yet.</summary>
    public static void EnsureDefaultFolders(WriteContext context, string accountId)
    {
        if (context.Scalar("SELECT 1 FROM folders WHERE account_id = @a AND path_key = 'INBOX'", ("@a", accountId)) is not null)
        {
            return;
        }

        foreach (var (path, use) in DefaultFolders)
        {
            if (FindFolder(context, accountId, path) is null)
            {
                CreateFolder(context, accountId, path, use);
                context.Execute("INSERT OR IGNORE INTO subscriptions(account_id, path) VALUES (@a, @p)", ("@a", accountId), ("@p", path));
            }
        }
    }

    /// <summary>A new UIDVALIDITY, never reused in this store.</summary>
    public static uint NextUidValidity(WriteContext context)
    {
        var value = context.Scalar(
            "UPDATE meta SET value = CAST(max(CAST(value AS INTEGER) + 1, CAST(strftime('%s','now') AS INTEGER)) AS TEXT) WHERE key = 'uidvalidity' RETURNING value");
        return (uint)(long.Parse((string)value!, System.Globalization.CultureInfo.InvariantCulture) & 0xFFFFFFFF);
    }

    /// <summary>Creates one folder row (the parents must be handled by the caller) and publishes its creation.</summary>
    public static FolderRow CreateFolder(WriteContext context, string accountId, string path, SpecialUse use)
    {
        var uidValidity = NextUidValidity(context);
        var id = (long)context.Scalar(
            "INSERT INTO folders(account_id, path, path_key, special_use, uid_validity) VALUES (@a, @p, @k, @s, @v) RETURNING id",
            ("@a", accountId), ("@p", path), ("@k", FolderName.Key(path)), ("@s", (int)use), ("@v", (long)uidValidity))!;
        context.Publish(accountId, new MailboxChange(path, MailboxChangeKind.FolderCreated, [], 0));
        return new FolderRow(id, path, uidValidity);
    }

    /// <summary>The folder with a normalized path, or null.</summary>
    public static FolderRow? FindFolder(WriteContext context, string accountId, string path) =>
        context.Query("SELECT id, path, uid_validity FROM folders WHERE account_id = @a AND path_key = @k",
            r => new FolderRow(r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2)), ("@a", accountId), ("@k", FolderName.Key(path))).FirstOrDefault();

    /// <summary>The folder with an id, or null when it was deleted.</summary>
    public static FolderRow? FindFolderById(WriteContext context, long id) =>
        context.Query("SELECT id, path, uid_validity FROM folders WHERE id = @f",
            r => new FolderRow(r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2)), ("@f", id)).FirstOrDefault();

    /// <summary>Inserts a blob row with reference count 0.</summary>
    public static long InsertBlob(WriteContext context, PendingBlob blob) =>
        (long)context.Scalar("INSERT INTO blobs(file, content, size, refcount) VALUES (@f, @c, @s, 0) RETURNING id",
            ("@f", blob.RelativeFile), ("@c", blob.Inline), ("@s", blob.Size))!;

    /// <summary>Throws <see cref="StoreError.QuotaExceeded"/> when adding the messages would exceed the account's limits.</summary>
    public static void CheckQuota(WriteContext context, string accountId, long addBytes, long addMessages)
    {
        var row = context.Query("SELECT quota_bytes, quota_messages, used_bytes, used_messages FROM accounts WHERE id = @a",
            r => (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)), ("@a", accountId)).FirstOrDefault();
        var (maxBytes, maxMessages, usedBytes, usedMessages) = row;
        if ((maxBytes > 0 && usedBytes + addBytes > maxBytes) || (maxMessages > 0 && usedMessages + addMessages > maxMessages))
        {
            throw new StoreException(StoreError.QuotaExceeded, "the mailbox is over its quota");
        }
    }

    /// <summary>Adds a message referring to a blob; allocates the UID and MODSEQ, updates quota use and publishes the append.</summary>
    public static AppendResult AddMessage(WriteContext context, string accountId, FolderRow folder, long blobId, long size, StoreFlags flags,
        string keywords, DateTimeOffset internalDate, bool publish = true)
    {
        var (uid, modSeq) = context.Query(
            "UPDATE folders SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1 WHERE id = @f RETURNING uid_next - 1, highest_modseq",
            r => ((uint)r.GetInt64(0), r.GetInt64(1)), ("@f", folder.Id)).Single();
        context.Execute(
            "INSERT INTO messages(folder_id, uid, blob_id, size, flags, keywords, internal_date, modseq) VALUES (@f, @u, @b, @s, @fl, @k, @d, @m)",
            ("@f", folder.Id), ("@u", (long)uid), ("@b", blobId), ("@s", size), ("@fl", (int)flags), ("@k", keywords),
            ("@d", internalDate.ToUnixTimeMilliseconds()), ("@m", modSeq));
        context.Execute("UPDATE blobs SET refcount = refcount + 1 WHERE id = @b", ("@b", blobId));
        context.Execute("UPDATE accounts SET used_bytes = used_bytes + @s, used_messages = used_messages + 1 WHERE id = @a", ("@s", size), ("@a", accountId));
        if (publish)
        {
            context.Publish(accountId, new MailboxChange(folder.Path, MailboxChangeKind.Appended, [uid], (ulong)modSeq));
        }

        return new AppendResult(folder.UidValidity, uid, (ulong)modSeq);
    }

    /// <summary>Removes messages by UID, records expunges with one new MODSEQ, releases blobs and quota; returns the MODSEQ (0 when none).</summary>
    public static ulong RemoveMessages(WriteContext context, string accountId, FolderRow folder, IReadOnlyList<uint> uids, string messagesDirectory, bool recordExpunge = true)
    {
        if (uids.Count == 0)
        {
            return 0;
        }

        var modSeq = (long)context.Scalar("UPDATE folders SET highest_modseq = highest_modseq + 1 WHERE id = @f RETURNING highest_modseq", ("@f", folder.Id))!;
        long bytes = 0;
        foreach (var uid in uids)
        {
            var row = context.Query("DELETE FROM messages WHERE folder_id = @f AND uid = @u RETURNING blob_id, size",
                r => (r.GetInt64(0), r.GetInt64(1)), ("@f", folder.Id), ("@u", (long)uid)).FirstOrDefault();
            if (row == default)
            {
                continue;
            }

            bytes += row.Item2;
            ReleaseBlob(context, row.Item1, messagesDirectory);
            if (recordExpunge)
            {
                context.Execute("INSERT OR REPLACE INTO expunged(folder_id, uid, modseq) VALUES (@f, @u, @m)", ("@f", folder.Id), ("@u", (long)uid), ("@m", modSeq));
            }
        }

        context.Execute("UPDATE accounts SET used_bytes = max(0, used_bytes - @s), used_messages = max(0, used_messages - @n) WHERE id = @a",
            ("@s", bytes), ("@n", uids.Count), ("@a", accountId));
        return (ulong)modSeq;
    }

    /// <summary>Drops one reference to a blob; at zero the row goes and its file is unlinked after the commit.</summary>
    public static void ReleaseBlob(WriteContext context, long blobId, string messagesDirectory)
    {
        var left = context.Query("UPDATE blobs SET refcount = refcount - 1 WHERE id = @b RETURNING refcount, file",
            r => (r.GetInt64(0), r.IsDBNull(1) ? null : r.GetString(1)), ("@b", blobId)).FirstOrDefault();
        if (left.Item1 <= 0)
        {
            context.Execute("DELETE FROM blobs WHERE id = @b", ("@b", blobId));
            if (left.Item2 is { } file)
            {
                context.DeleteFileAfterCommit(Path.Combine(messagesDirectory, file));
            }
        }
    }

    /// <summary>Deletes every message of a folder and the folder row.</summary>
    public static void DeleteFolder(WriteContext context, string accountId, FolderRow folder, string messagesDirectory)
    {
        var rows = context.Query("SELECT blob_id, size FROM messages WHERE folder_id = @f", r => (r.GetInt64(0), r.GetInt64(1)), ("@f", folder.Id));
        context.Execute("DELETE FROM messages WHERE folder_id = @f", ("@f", folder.Id));
        foreach (var (blobId, _) in rows)
        {
            ReleaseBlob(context, blobId, messagesDirectory);
        }

        context.Execute("UPDATE accounts SET used_bytes = max(0, used_bytes - @s), used_messages = max(0, used_messages - @n) WHERE id = @a",
            ("@s", rows.Sum(r => r.Item2)), ("@n", rows.Count), ("@a", accountId));
        context.Execute("DELETE FROM expunged WHERE folder_id = @f", ("@f", folder.Id));
        context.Execute("DELETE FROM folders WHERE id = @f", ("@f", folder.Id));
    }
}
