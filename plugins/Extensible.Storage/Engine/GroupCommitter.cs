using System.Collections.Concurrent;
using Extensible.Sdk.Storage;
using Microsoft.Data.Sqlite;

namespace Extensible.Storage.Engine;

/// <summary>The single writer: batches queued operations into one transaction and one fsync (group commit), then publishes their changes in commit order.</summary>
internal sealed class GroupCommitter : IDisposable
{
    private readonly BlockingCollection<WriteOperation> _queue = new();
    private readonly SqliteConnection _connection;
    private readonly ChangeHub _changes;
    private readonly Serilog.ILogger _logger;
    private readonly int _maxBatch;
    private readonly Thread _thread;
    private long _batches;
    private long _operations;

    /// <summary>Starts the writer thread on an open connection it then owns.</summary>
    public GroupCommitter(SqliteConnection connection, ChangeHub changes, Serilog.ILogger logger, int maxBatch)
    {
        _connection = connection;
        _changes = changes;
        _logger = logger;
        _maxBatch = Math.Max(1, maxBatch);
        _thread = new Thread(Run) { IsBackground = true, Name = "storage-commit" };
        _thread.Start();
    }

    /// <summary>Batches committed so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Operations committed so far.</summary>
    public long Operations => Interlocked.Read(ref _operations);

    /// <summary>Queues a write; the task completes after its transaction is durably committed.</summary>
    public Task<T> WriteAsync<T>(Func<WriteContext, T> body, string? syncDirectory = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new WriteOperation<T>(body) { SyncDirectory = syncDirectory };
        try
        {
            _queue.Add(operation, CancellationToken.None);
        }
        catch (InvalidOperationException ex)
        {
            throw new StoreException(StoreError.Unavailable, "the store is shutting down", ex);
        }

        return operation.Task;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(30));
        _connection.Dispose();
    }

    private void Run()
    {
        var context = new WriteContext(_connection);
        var batch = new List<WriteOperation>(_maxBatch);
        var directories = new HashSet<string>(StringComparer.Ordinal);
        while (!_queue.IsCompleted)
        {
            WriteOperation first;
            try
            {
                first = _queue.Take();
            }
            catch (InvalidOperationException)
            {
                break;
            }

            batch.Add(first);
            while (batch.Count < _maxBatch && _queue.TryTake(out var next))
            {
                batch.Add(next);
            }

            RunBatch(context, batch, directories);
            batch.Clear();
            directories.Clear();
            context.Reset();
        }

        context.Dispose();
    }

    private void RunBatch(WriteContext context, List<WriteOperation> batch, HashSet<string> directories)
    {
        try
        {
            foreach (var operation in batch)
            {
                if (operation.SyncDirectory is { } directory && directories.Add(directory))
                {
                    NativeSync.SyncDirectory(directory);
                }
            }

            using var transaction = _connection.BeginTransaction(deferred: false);
            context.Transaction = transaction;
            foreach (var operation in batch)
            {
                var mark = context.Mark();
                context.Execute("SAVEPOINT op");

                try
                {
                    operation.Run(context);
                    context.Execute("RELEASE op");
                    operation.Changes = (mark.Changes, context.Changes.Count - mark.Changes);
                }
                catch (Exception ex)
                {
                    context.Execute("ROLLBACK TO op");
                    context.Execute("RELEASE op");
                    context.Rewind(mark);
                    operation.Changes = (mark.Changes, 0);
                    operation.Fail(ex is SqliteException sqlite && sqlite.SqliteErrorCode is 5 or 6 or 10 or 13
                        ? new StoreException(StoreError.Unavailable, "the store is busy or out of space; try again later", ex)
                        : ex);
                }
            }

            transaction.Commit();
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "Storage commit of {Count} operations failed", batch.Count);
            var failure = new StoreException(StoreError.Unavailable, "the store could not commit; try again later", ex);
            foreach (var operation in batch)
            {
                operation.Fail(failure);
            }

            return;
        }
        finally
        {
            context.Transaction = null!;
        }

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _operations, batch.Count);
        foreach (var path in context.FilesToDelete)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException ex)
            {
                _logger.Warning(ex, "Could not delete message file {File}; the start-up check will", path);
            }
        }

        foreach (var operation in batch)
        {
            for (var i = 0; i < operation.Changes.Count; i++)
            {
                var (accountId, change) = context.Changes[operation.Changes.Start + i];
                _changes.Publish(accountId, change);
            }

            operation.Complete();
        }
    }
}
