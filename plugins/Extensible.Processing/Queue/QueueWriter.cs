using System.Threading.Channels;
using Extensible.Processing.Spool;
using Microsoft.Data.Sqlite;
using Serilog;

namespace Extensible.Processing.Queue;

/// <summary>The queue's only writer in the server: batches concurrent changes into one transaction, so they share one fsync.</summary>
/// <remarks>A batch holding a new message is committed with <c>synchronous = FULL</c> (on stable storage before the caller
/// is told); batches of state changes only use <c>NORMAL</c>, since losing one means a retry, never a lost message.</remarks>
public sealed class QueueWriter
{
    private const int MaxBatch = 512;

    private readonly QueueDatabase _database;
    private readonly ILogger _logger;
    private readonly Channel<QueueOperation> _operations = Channel.CreateBounded<QueueOperation>(
        new BoundedChannelOptions(8192) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private string? _synchronous;

    public QueueWriter(QueueDatabase database, ILogger logger)
    {
        _database = database;
        _logger = logger;
    }

    /// <summary>Commits batches until <paramref name="cancellationToken"/> fires, then commits what is left and stops.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var connection = _database.Open();
        using var commands = new PreparedCommands(connection);
        var batch = new List<QueueOperation>(MaxBatch);
        try
        {
            while (await _operations.Reader.WaitToReadAsync(cancellationToken))
            {
                Drain(batch);
                Commit(connection, commands, batch);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        _operations.Writer.TryComplete();
        // Commit whatever was posted before the stop; callers are waiting on it.
        while (_operations.Reader.TryPeek(out _))
        {
            Drain(batch);
            Commit(connection, commands, batch);
        }
    }

    /// <summary>Stores a new message (record and content) durably.</summary>
    public Task InsertAsync(QueuedMessage message, MessageContent content, CancellationToken cancellationToken) =>
        PostAsync(new QueueOperation.Insert(message, content), cancellationToken);

    /// <summary>Saves a message's changed state (recipients, attempts, schedule).</summary>
    public Task UpdateAsync(QueuedMessage message, CancellationToken cancellationToken) =>
        PostAsync(new QueueOperation.Update(message), cancellationToken);

    /// <summary>Removes a message that has left the queue (every recipient delivered, failed or expired).</summary>
    public Task RemoveAsync(long id, CancellationToken cancellationToken) =>
        PostAsync(new QueueOperation.Remove(id), cancellationToken);

    /// <summary>Makes every active message that <paramref name="domain"/> deferred due now.</summary>
    public Task ScheduleDomainNowAsync(string domain, CancellationToken cancellationToken) =>
        PostAsync(new QueueOperation.ScheduleDomain(domain), cancellationToken);

    private async Task PostAsync(QueueOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            await _operations.Writer.WriteAsync(operation, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The queue is shutting down.");
        }
        await operation.Completion.Task.WaitAsync(cancellationToken);
    }

    private void Drain(List<QueueOperation> batch)
    {
        batch.Clear();
        while (batch.Count < MaxBatch && _operations.Reader.TryRead(out var operation))
        {
            batch.Add(operation);
        }
    }

    private void Commit(SqliteConnection connection, PreparedCommands commands, List<QueueOperation> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }
        try
        {
            Execute(connection, commands, batch);
            foreach (var operation in batch)
            {
                operation.Completion.TrySetResult();
            }
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            // One bad operation must not fail its neighbours: retry each on its own.
            _logger.Warning(ex, "Queue batch of {Count} failed; committing one by one", batch.Count);
            foreach (var operation in batch)
            {
                try
                {
                    Execute(connection, commands, [operation]);
                    operation.Completion.TrySetResult();
                }
                catch (Exception single)
                {
                    operation.Completion.TrySetException(single);
                }
            }
        }
        catch (Exception ex)
        {
            batch[0].Completion.TrySetException(ex);
        }
    }

    private void Execute(SqliteConnection connection, PreparedCommands commands, List<QueueOperation> batch)
    {
        SetSynchronous(connection, batch.Exists(o => o is QueueOperation.Insert) ? "FULL" : "NORMAL");
        using var transaction = connection.BeginTransaction();
        try
        {
            foreach (var operation in batch)
            {
                switch (operation)
                {
                    case QueueOperation.Insert insert:
                        Insert(connection, commands, transaction, insert);
                        break;
                    case QueueOperation.Update update:
                        Update(commands, transaction, update.Message);
                        break;
                    case QueueOperation.Remove remove:
                        Remove(commands, transaction, remove.Id);
                        break;
                    case QueueOperation.ScheduleDomain schedule:
                        Run(connection, transaction,
                            "UPDATE messages SET next_attempt = 0 WHERE state = 0 AND (',' || deferred_domains || ',') LIKE $pattern ESCAPE '\\';",
                            ("$pattern", "%," + EscapeLike(schedule.Domain) + ",%"));
                        break;
                }
            }
            transaction.Commit();
        }
        catch
        {
            transaction.Rollback();
            throw;
        }
    }

    private static void Insert(SqliteConnection connection, PreparedCommands commands, SqliteTransaction transaction, QueueOperation.Insert insert)
    {
        var message = insert.Message;
        var command = commands.Get("""
            INSERT INTO messages (id, mail_from, envelope, recipients, header_edits, size, state, attempts, next_attempt, reason, deferred_domains)
            VALUES ($id, $from, $envelope, $recipients, $edits, $size, $state, $attempts, $next, $reason, $domains);
            """, transaction);
        command.Parameters.AddWithValue("$id", message.Id);
        command.Parameters.AddWithValue("$from", message.Envelope.MailFrom);
        command.Parameters.AddWithValue("$envelope", QueueJson.Write(message.Envelope));
        AddState(command, message);
        command.ExecuteNonQuery();

        if (insert.Content.Bytes is { } bytes)
        {
            // In memory: bound as one value, no incremental blob I/O.
            var content = commands.Get("INSERT INTO contents (id, data) VALUES ($id, $data);", transaction);
            content.Parameters.AddWithValue("$id", message.Id);
            content.Parameters.Add("$data", SqliteType.Blob).Value = bytes;
            content.ExecuteNonQuery();
            return;
        }

        var reserve = commands.Get("INSERT INTO contents (id, data) VALUES ($id, zeroblob($size));", transaction);
        reserve.Parameters.AddWithValue("$id", message.Id);
        reserve.Parameters.AddWithValue("$size", message.Size);
        reserve.ExecuteNonQuery();
        if (message.Size > 0)
        {
            using var source = new FileStream(insert.Content.SpoolPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920);
            using var blob = new SqliteBlob(connection, "contents", "data", message.Id);
            source.CopyTo(blob, 81920);
        }
    }

    private static void Update(PreparedCommands commands, SqliteTransaction transaction, QueuedMessage message)
    {
        var command = commands.Get("""
            UPDATE messages SET recipients = $recipients, header_edits = $edits, size = $size, state = $state, attempts = $attempts,
                next_attempt = $next, reason = $reason, deferred_domains = $domains WHERE id = $id;
            """, transaction);
        command.Parameters.AddWithValue("$id", message.Id);
        AddState(command, message);
        command.ExecuteNonQuery();
    }

    private static void Remove(PreparedCommands commands, SqliteTransaction transaction, long id)
    {
        foreach (var sql in (ReadOnlySpan<string>)["DELETE FROM contents WHERE id = $id;", "DELETE FROM messages WHERE id = $id;"])
        {
            var command = commands.Get(sql, transaction);
            command.Parameters.AddWithValue("$id", id);
            command.ExecuteNonQuery();
        }
    }

    private static void AddState(SqliteCommand command, QueuedMessage message)
    {
        command.Parameters.AddWithValue("$recipients", QueueJson.Write(message.Recipients));
        command.Parameters.AddWithValue("$edits", message.HeaderEdits.Count == 0 ? DBNull.Value : QueueJson.Write(message.HeaderEdits));
        command.Parameters.AddWithValue("$size", message.Size);
        command.Parameters.AddWithValue("$state", (int)message.State);
        command.Parameters.AddWithValue("$attempts", message.Attempts);
        command.Parameters.AddWithValue("$next", message.NextAttempt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$reason", (object?)message.Reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$domains", message.DeferredDomains.Count == 0 ? DBNull.Value : string.Join(',', message.DeferredDomains));
    }

    private static void Run(SqliteConnection connection, SqliteTransaction transaction, string sql, (string Name, object Value) parameter)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        command.ExecuteNonQuery();
    }

    private void SetSynchronous(SqliteConnection connection, string level)
    {
        if (_synchronous == level)
        {
            return;
        }
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA synchronous = {level};";
        command.ExecuteNonQuery();
        _synchronous = level;
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
