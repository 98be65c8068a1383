using Microsoft.Data.Sqlite;

namespace Extensible.Storage.Engine;

/// <summary>The start-up check: removes temporary and orphan message files, rows whose file is gone, and fixes counters.</summary>
/// <remarks>Runs only while no other process has the store open, so no in-flight write is mistaken for an orphan.</remarks>
internal static class ConsistencyCheck
{
    /// <summary>Checks and repairs the store on a connection that is not inside a transaction.</summary>
    public static ConsistencyReport Run(SqliteConnection connection, string messagesDirectory)
    {
        int temporary = 0, orphans = 0;
        Directory.CreateDirectory(messagesDirectory);
        foreach (var bucket in Directory.EnumerateDirectories(messagesDirectory))
        {
            var bucketName = Path.GetFileName(bucket);
            var known = new HashSet<string>(StringComparer.Ordinal);
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT file FROM blobs WHERE file > @low AND file < @high";
                command.Parameters.AddWithValue("@low", bucketName + "/");
                command.Parameters.AddWithValue("@high", bucketName + "0");
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    known.Add(reader.GetString(0));
                }
            }

            foreach (var file in Directory.EnumerateFiles(bucket))
            {
                var name = Path.GetFileName(file);
                if (name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    File.Delete(file);
                    temporary++;
                }
                else if (!known.Contains(bucketName + "/" + name))
                {
                    File.Delete(file);
                    orphans++;
                }
            }

            if (known.Count == 0 && !Directory.EnumerateFileSystemEntries(bucket).Any())
            {
                Directory.Delete(bucket);
            }
        }

        using var transaction = connection.BeginTransaction(deferred: false);
        var missing = new List<long>();
        using (var command = Command(connection, transaction, "SELECT id, file FROM blobs WHERE file IS NOT NULL"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (!File.Exists(Path.Combine(messagesDirectory, reader.GetString(1))))
                {
                    missing.Add(reader.GetInt64(0));
                }
            }
        }

        var dangling = 0;
        foreach (var blobId in missing)
        {
            dangling += Exec(connection, transaction, "DELETE FROM messages WHERE blob_id = @id", blobId);
            Exec(connection, transaction, "DELETE FROM blobs WHERE id = @id", blobId);
        }

        var counters = Exec(connection, transaction,
            "UPDATE blobs SET refcount = (SELECT count(*) FROM messages m WHERE m.blob_id = blobs.id) " +
            "WHERE refcount <> (SELECT count(*) FROM messages m WHERE m.blob_id = blobs.id)");
        var unreferenced = new List<string>();
        using (var command = Command(connection, transaction, "SELECT file FROM blobs WHERE refcount = 0 AND file IS NOT NULL"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                unreferenced.Add(reader.GetString(0));
            }
        }

        var unreferencedRows = Exec(connection, transaction, "DELETE FROM blobs WHERE refcount = 0");
        counters += Exec(connection, transaction,
            """
            UPDATE accounts SET
              used_bytes = (SELECT coalesce(sum(m.size), 0) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.account_id = accounts.id),
              used_messages = (SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.account_id = accounts.id)
            WHERE used_bytes <> (SELECT coalesce(sum(m.size), 0) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.account_id = accounts.id)
               OR used_messages <> (SELECT count(*) FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.account_id = accounts.id)
            """);
        long messages;
        using (var command = Command(connection, transaction, "SELECT count(*) FROM messages"))
        {
            messages = (long)command.ExecuteScalar()!;
        }

        transaction.Commit();
        foreach (var file in unreferenced)
        {
            File.Delete(Path.Combine(messagesDirectory, file));
        }

        return new ConsistencyReport(messages, temporary, orphans, dangling, unreferencedRows, counters);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static int Exec(SqliteConnection connection, SqliteTransaction transaction, string sql, long? id = null)
    {
        using var command = Command(connection, transaction, sql);
        if (id is { } value)
        {
            command.Parameters.AddWithValue("@id", value);
        }

        return command.ExecuteNonQuery();
    }
}
