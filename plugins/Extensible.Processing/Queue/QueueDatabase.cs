using Microsoft.Data.Sqlite;

namespace Extensible.Processing.Queue;

/// <summary>The queue's SQLite database (WAL): message records and spooled content; safe to open from several processes.</summary>
public sealed class QueueDatabase
{
    private const string Columns =
        "id, envelope, recipients, header_edits, size, state, attempts, next_attempt, reason, deferred_domains";

    private readonly string _connectionString;

    /// <summary>Opens (creating when missing) the queue under <paramref name="queueDirectory"/>.</summary>
    public QueueDatabase(string queueDirectory)
    {
        QueueDirectory = queueDirectory;
        Directory.CreateDirectory(queueDirectory);
        Directory.CreateDirectory(TempDirectory);
        DatabasePath = Path.Combine(queueDirectory, "queue.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS messages (
                id INTEGER PRIMARY KEY,
                mail_from TEXT NOT NULL,
                envelope TEXT NOT NULL,
                recipients TEXT NOT NULL,
                header_edits TEXT,
                size INTEGER NOT NULL,
                state INTEGER NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt INTEGER NOT NULL,
                reason TEXT,
                deferred_domains TEXT);
            CREATE INDEX IF NOT EXISTS messages_due ON messages (state, next_attempt);
            CREATE TABLE IF NOT EXISTS contents (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>The queue folder.</summary>
    public string QueueDirectory { get; }

    /// <summary>The database file.</summary>
    public string DatabasePath { get; }

    /// <summary>Spool files of messages being received or delivered; emptied at start, never needed after a crash.</summary>
    public string TempDirectory => Path.Combine(QueueDirectory, "tmp");

    /// <summary>Opens a pooled connection with a busy timeout, so the server and admin commands wait for each other.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000;";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>The largest row id ever used (messages or contents), so new ids never repeat a live one.</summary>
    public long MaxId()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT max(ifnull((SELECT max(id) FROM messages), 0), ifnull((SELECT max(id) FROM contents), 0));";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Ids of active messages due at <paramref name="now"/>, oldest due first.</summary>
    public List<long> DueIds(DateTimeOffset now, int limit)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM messages WHERE state = 0 AND next_attempt <= $now ORDER BY next_attempt LIMIT $limit;";
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    /// <summary>One message's record, or null when it left the queue.</summary>
    public QueuedMessage? Load(long id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM messages WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadRecord(reader) : null;
    }

    /// <summary>Every record, oldest first, at most <paramref name="limit"/>.</summary>
    public List<QueuedMessage> List(int limit = int.MaxValue)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM messages ORDER BY id LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        var messages = new List<QueuedMessage>();
        while (reader.Read())
        {
            messages.Add(ReadRecord(reader));
        }
        return messages;
    }

    /// <summary>Number of records in the queue (active and quarantined).</summary>
    public long Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM messages;";
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Opens the spooled content of a message for reading, or null when it left the queue; dispose to release.</summary>
    public Stream? OpenContent(long id)
    {
        var connection = Open();
        try
        {
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT 1 FROM contents WHERE id = $id;";
                command.Parameters.AddWithValue("$id", id);
                if (command.ExecuteScalar() is null)
                {
                    connection.Dispose();
                    return null;
                }
            }
            var blob = new SqliteBlob(connection, "contents", "data", id, readOnly: true);
            return new OwningStream(blob, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Makes a message due now (and releases it from quarantine); false when it is not queued. Used by admin commands.</summary>
    public bool RetryNow(long id)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE messages SET next_attempt = 0, state = 0 WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteNonQuery() > 0;
    }

    /// <summary>Makes every active message due now; returns how many (AXIGEN's FORCE QUEUE).</summary>
    public int FlushAll()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE messages SET next_attempt = 0 WHERE state = 0;";
        return command.ExecuteNonQuery();
    }

    /// <summary>Removes a message and its content; false when it is not queued.</summary>
    public bool Delete(long id)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM contents WHERE id = $id; DELETE FROM messages WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        var removed = command.ExecuteNonQuery();
        transaction.Commit();
        return removed > 0;
    }

    private static QueuedMessage ReadRecord(SqliteDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Envelope = QueueJson.Read<StoredEnvelope>(reader.GetString(1)),
        Recipients = QueueJson.Read<List<RecipientState>>(reader.GetString(2)),
        HeaderEdits = reader.IsDBNull(3) ? [] : QueueJson.Read<List<HeaderEdit>>(reader.GetString(3)),
        Size = reader.GetInt64(4),
        State = (QueueState)reader.GetInt32(5),
        Attempts = reader.GetInt32(6),
        NextAttempt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
        Reason = reader.IsDBNull(8) ? null : reader.GetString(8),
        DeferredDomains = reader.IsDBNull(9) ? [] : [.. reader.GetString(9).Split(',', StringSplitOptions.RemoveEmptyEntries)],
    };
}
