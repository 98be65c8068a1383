using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;
using Extensible.Storage.Engine;
using Extensible.Storage.Messages;
using Microsoft.Data.Sqlite;

namespace Extensible.Storage;

/// <summary>One account's folders in the embedded store, opened for a session.</summary>
internal sealed class Mailbox(StorageEngine engine, MailUser user) : IMailbox
{
    /// <inheritdoc />
    public MailUser User { get; } = user;

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<FolderInfo>> ListFoldersAsync(CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        var rows = connection.Query(
            "SELECT f.path, f.special_use, f.uid_validity, EXISTS(SELECT 1 FROM subscriptions s WHERE s.account_id = f.account_id AND s.path = f.path) FROM folders f WHERE f.account_id = @a",
            r => (Path: r.GetString(0), Use: (SpecialUse)r.GetInt32(1), UidValidity: (uint)r.GetInt64(2), Subscribed: r.GetInt64(3) != 0), ("@a", User.Id));
        var paths = rows.Select(r => r.Path).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<FolderInfo> result = rows
            .OrderBy(r => r.Path == "INBOX" ? 0 : 1).ThenBy(r => r.Path, StringComparer.Ordinal)
            .Select(r => new FolderInfo(r.Path, r.Use, r.Subscribed, paths.Any(p => p.Length > r.Path.Length && p[r.Path.Length] == '/' && p.StartsWith(r.Path, StringComparison.Ordinal)), r.UidValidity))
            .ToList();
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        IReadOnlyList<string> result = connection.Query("SELECT path FROM subscriptions WHERE account_id = @a ORDER BY path", r => r.GetString(0), ("@a", User.Id));
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public async ValueTask<FolderInfo> CreateFolderAsync(string path, SpecialUse specialUse = SpecialUse.None, CancellationToken cancellationToken = default)
    {
        var normalized = FolderName.Normalize(path);
        var created = await engine.WriteAsync(context =>
        {
            if (MessageWrites.FindFolder(context, User.Id, normalized) is not null)
            {
                throw new StoreException(StoreError.AlreadyExists, "a folder with that name exists");
            }

            CreateParents(context, normalized);
            return MessageWrites.CreateFolder(context, User.Id, normalized, specialUse);
        }, cancellationToken);
        return new FolderInfo(created.Path, specialUse, false, false, created.UidValidity);
    }

    /// <inheritdoc />
    public async ValueTask DeleteFolderAsync(string path, CancellationToken cancellationToken = default)
    {
        var normalized = FolderName.Normalize(path);
        if (FolderName.IsInbox(normalized))
        {
            throw new StoreException(StoreError.NotAllowed, "INBOX cannot be deleted");
        }

        await engine.WriteAsync(context =>
        {
            var folder = MessageWrites.FindFolder(context, User.Id, normalized) ?? throw new StoreException(StoreError.NotFound, "no such folder");
            MessageWrites.DeleteFolder(context, User.Id, folder, engine.MessagesDirectory);
            context.Publish(User.Id, new MailboxChange(folder.Path, MailboxChangeKind.FolderDeleted, [], 0));
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask RenameFolderAsync(string path, string newPath, CancellationToken cancellationToken = default)
    {
        var from = FolderName.Normalize(path);
        var to = FolderName.Normalize(newPath);
        if (FolderName.IsInbox(to) || to.StartsWith(from + "/", StringComparison.Ordinal))
        {
            throw new StoreException(StoreError.NotAllowed, "a folder cannot be renamed to INBOX or below itself");
        }

        await engine.WriteAsync(context =>
        {
            var folder = MessageWrites.FindFolder(context, User.Id, from) ?? throw new StoreException(StoreError.NotFound, "no such folder");
            if (MessageWrites.FindFolder(context, User.Id, to) is not null)
            {
                throw new StoreException(StoreError.AlreadyExists, "a folder with the new name exists");
            }

            CreateParents(context, to);
            if (FolderName.IsInbox(from))
            {
                context.Execute("UPDATE folders SET path = @p, path_key = @p WHERE id = @f", ("@p", to), ("@f", folder.Id));
                MessageWrites.CreateFolder(context, User.Id, "INBOX", SpecialUse.None);
            }
            else
            {
                context.Execute(
                    """
                    UPDATE folders SET path = @to || substr(path, @n + 1), path_key = @to || substr(path_key, @n + 1)
                    WHERE account_id = @a AND (path_key = @from OR substr(path_key, 1, @n + 1) = @from || '/')
                    """,
                    ("@to", to), ("@from", from), ("@n", from.Length), ("@a", User.Id));
            }

            context.Publish(User.Id, new MailboxChange(from, MailboxChangeKind.FolderRenamed, [], 0, to));
            return true;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask SetSubscribedAsync(string path, bool subscribed, CancellationToken cancellationToken = default)
    {
        var normalized = FolderName.Normalize(path);
        await engine.WriteAsync(context => subscribed
            ? context.Execute("INSERT OR IGNORE INTO subscriptions(account_id, path) VALUES (@a, @p)", ("@a", User.Id), ("@p", normalized))
            : context.Execute("DELETE FROM subscriptions WHERE account_id = @a AND path = @p", ("@a", User.Id), ("@p", normalized)), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<FolderStatus?> GetStatusAsync(string path, CancellationToken cancellationToken = default)
    {
        var normalized = FolderName.Normalize(path);
        using var connection = engine.OpenReader();
        var id = connection.Scalar("SELECT id FROM folders WHERE account_id = @a AND path_key = @k", ("@a", User.Id), ("@k", FolderName.Key(normalized)));
        return ValueTask.FromResult(id is null ? null : ReadStatus(connection, (long)id));
    }

    /// <inheritdoc />
    public ValueTask<IMessageFolder?> OpenFolderAsync(string path, CancellationToken cancellationToken = default)
    {
        var normalized = FolderName.Normalize(path);
        using var connection = engine.OpenReader();
        var row = connection.Query("SELECT id, path, uid_validity FROM folders WHERE account_id = @a AND path_key = @k",
            r => new MessageWrites.FolderRow(r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2)), ("@a", User.Id), ("@k", FolderName.Key(normalized))).FirstOrDefault();
        return ValueTask.FromResult<IMessageFolder?>(row is null ? null : new MessageFolder(engine, User, row));
    }

    /// <inheritdoc />
    public async ValueTask<AppendResult> AppendAsync(string path, Stream content, StoreFlags flags, IReadOnlyCollection<string> keywords, DateTimeOffset internalDate,
        CancellationToken cancellationToken = default)
    {
        await using var folder = await OpenFolderAsync(path, cancellationToken) ?? throw new StoreException(StoreError.NotFound, "no such folder");
        return await folder.AppendAsync(content, flags, keywords, internalDate, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<QuotaUsage> GetQuotaAsync(CancellationToken cancellationToken = default)
    {
        using var connection = engine.OpenReader();
        var usage = connection.Query("SELECT used_bytes, used_messages, quota_bytes, quota_messages FROM accounts WHERE id = @a",
            r => new QuotaUsage(r.GetInt64(0), r.GetInt64(1), new StorageQuota(r.GetInt64(2), r.GetInt64(3))), ("@a", User.Id)).FirstOrDefault()
            ?? throw new StoreException(StoreError.NotFound, "the account does not exist");
        return ValueTask.FromResult(usage);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Reads a folder's counters on a connection.</summary>
    internal static FolderStatus ReadStatus(SqliteConnection connection, long folderId) =>
        connection.Query(
            """
            SELECT (SELECT count(*) FROM messages WHERE folder_id = f.id),
                   (SELECT count(*) FROM messages WHERE folder_id = f.id AND (flags & 1) = 0),
                   (SELECT count(*) FROM messages WHERE folder_id = f.id AND (flags & 8) <> 0),
                   f.uid_next, f.uid_validity, f.highest_modseq,
                   (SELECT coalesce(sum(size), 0) FROM messages WHERE folder_id = f.id)
            FROM folders f WHERE f.id = @f
            """,
            r => new FolderStatus((uint)r.GetInt64(0), (uint)r.GetInt64(1), (uint)r.GetInt64(2), (uint)r.GetInt64(3), (uint)r.GetInt64(4), (ulong)r.GetInt64(5), r.GetInt64(6)),
            ("@f", folderId)).FirstOrDefault() ?? throw new StoreException(StoreError.NotFound, "the folder no longer exists");

    private void CreateParents(WriteContext context, string path)
    {
        var parts = path.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            var parent = string.Join('/', parts[..i]);
            if (MessageWrites.FindFolder(context, User.Id, parent) is null)
            {
                MessageWrites.CreateFolder(context, User.Id, parent, SpecialUse.None);
            }
        }
    }
}
