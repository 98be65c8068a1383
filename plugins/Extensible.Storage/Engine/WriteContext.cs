using Extensible.Sdk.Storage;
using Microsoft.Data.Sqlite;

namespace Extensible.Storage.Engine;

/// <summary>What a write operation gets inside a group-commit transaction; effects it records happen only after the commit.</summary>
/// <remarks>Statements run through <see cref="Execute"/>, <see cref="Scalar"/> and <see cref="Prepared"/> are compiled once per
/// writer connection and reused, since parsing them again for every delivery cost more than running them.</remarks>
internal sealed class WriteContext(SqliteConnection connection) : IDisposable
{
    private const int MaxPrepared = 256;

    private readonly List<(string AccountId, MailboxChange Change)> _changes = [];
    private readonly List<string> _filesToDelete = [];
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

    /// <summary>The writer connection, inside the batch's transaction.</summary>
    public SqliteConnection Connection { get; } = connection;

    /// <summary>The batch's transaction.</summary>
    public SqliteTransaction Transaction { get; set; } = null!;

    /// <summary>Change events recorded so far, published in order after the commit.</summary>
    public IReadOnlyList<(string AccountId, MailboxChange Change)> Changes => _changes;

    /// <summary>Message files to unlink after the commit.</summary>
    public IReadOnlyList<string> FilesToDelete => _filesToDelete;

    /// <summary>Creates a command bound to the transaction, with parameters given as name/value pairs.</summary>
    public SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>A command kept compiled on the writer connection, bound to the transaction and the parameters; never dispose it.</summary>
    public SqliteCommand Prepared(string sql, params (string Name, object? Value)[] parameters)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            if (_prepared.Count >= MaxPrepared)
            {
                // Only ever reached by generated SQL; drop the cache rather than grow without bound.
                DisposePrepared();
            }

            command = Connection.CreateCommand();
            command.CommandText = sql;
            _prepared[sql] = command;
        }

        command.Transaction = Transaction;
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>Runs a statement and returns the number of rows changed.</summary>
    public int Execute(string sql, params (string Name, object? Value)[] parameters) => Prepared(sql, parameters).ExecuteNonQuery();

    /// <summary>Runs a query and returns the first column of the first row, or null.</summary>
    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        var value = Prepared(sql, parameters).ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <summary>Records a change to publish after the commit.</summary>
    public void Publish(string accountId, MailboxChange change) => _changes.Add((accountId, change));

    /// <summary>Records a message file to unlink after the commit.</summary>
    public void DeleteFileAfterCommit(string path) => _filesToDelete.Add(path);

    /// <summary>Marks where one operation's effects start, so a failed operation's effects can be dropped.</summary>
    public (int Changes, int Files) Mark() => (_changes.Count, _filesToDelete.Count);

    /// <summary>Drops the effects recorded since <paramref name="mark"/>.</summary>
    public void Rewind((int Changes, int Files) mark)
    {
        _changes.RemoveRange(mark.Changes, _changes.Count - mark.Changes);
        _filesToDelete.RemoveRange(mark.Files, _filesToDelete.Count - mark.Files);
    }

    /// <summary>Forgets everything recorded, for the next batch.</summary>
    public void Reset()
    {
        _changes.Clear();
        _filesToDelete.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => DisposePrepared();

    private void DisposePrepared()
    {
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }

        _prepared.Clear();
    }
}
