using System.Composition;
using Extensible.Sdk.Plugins;
using Extensible.Storage.Engine;
using Extensible.Storage.Passwords;
using Microsoft.Data.Sqlite;

namespace Extensible.Storage;

/// <summary>The embedded store's shared core: database, message files, group committer and change hub; opens lazily and thread-safely on first use.</summary>
[Export]
[Shared]
public sealed class StorageEngine : IDisposable
{
    private readonly object _openLock = new();
    private readonly string _root;
    private volatile OpenState? _state;
    private FileStream? _lockFile;
    private bool _disposed;

    /// <summary>Creates the engine on the plugin's data directory with its configured options.</summary>
    [ImportingConstructor]
    public StorageEngine(PluginContext context)
        : this(context.PluginDataDirectory, context.GetOptions<StorageOptions>(), context.Logger, context.PrimaryDomain)
    {
    }

    /// <summary>Creates the engine on a directory (tests, tools).</summary>
    public StorageEngine(string directory, StorageOptions options, Serilog.ILogger logger, string primaryDomain = "localhost")
    {
        _root = Path.GetFullPath(directory);
        Options = options;
        Logger = logger;
        PrimaryDomain = primaryDomain;
        Changes = new ChangeHub(logger);
        Passwords = new PasswordService(options);
    }

    /// <summary>The options in force.</summary>
    public StorageOptions Options { get; }

    /// <summary>The logger.</summary>
    internal Serilog.ILogger Logger { get; }

    /// <summary>The domain appended to logins without one.</summary>
    internal string PrimaryDomain { get; }

    /// <summary>The change watchers.</summary>
    internal ChangeHub Changes { get; }

    /// <summary>Password hashing, verification and the verification cache.</summary>
    internal PasswordService Passwords { get; }

    /// <summary>The folder holding the database and the message files.</summary>
    public string RootDirectory => _root;

    /// <summary>The folder of message files.</summary>
    public string MessagesDirectory => Path.Combine(_root, "messages");

    /// <summary>The report of the start-up check this process ran, or null when another process had the store open.</summary>
    public ConsistencyReport? StartupReport => Open().Report;

    /// <summary>The group committer (opens the store).</summary>
    internal GroupCommitter Committer => Open().Committer;

    /// <summary>The message writer (opens the store).</summary>
    internal BlobWriter Blobs => Open().Blobs;

    /// <summary>Opens the store now (schema, start-up check); later calls return at once.</summary>
    public void EnsureOpen() => Open();

    /// <summary>Opens a pooled read connection.</summary>
    internal SqliteConnection OpenReader()
    {
        var state = Open();
        var connection = new SqliteConnection(state.ConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Queues a write and waits for its durable commit.</summary>
    internal Task<T> WriteAsync<T>(Func<WriteContext, T> body, CancellationToken cancellationToken, string? syncDirectory = null) =>
        Committer.WriteAsync(body, syncDirectory, cancellationToken);

    /// <summary>Runs the consistency check again (only safe when no other process writes); returns what it repaired.</summary>
    internal ConsistencyReport RunCheck()
    {
        var state = Open();
        using var connection = new SqliteConnection(state.ConnectionString);
        connection.Open();
        return ConsistencyCheck.Run(connection, MessagesDirectory);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_openLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_state is { } state)
            {
                state.Committer.Dispose();
                state.SyncPool.Dispose();
                SqliteConnection.ClearPool(new SqliteConnection(state.ConnectionString));
            }

            _lockFile?.Dispose();
        }
    }

    private OpenState Open()
    {
        if (_state is { } state)
        {
            return state;
        }

        lock (_openLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _state ??= OpenCore();
        }
    }

    private OpenState OpenCore()
    {
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(MessagesDirectory);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_root, "store.db"),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, Options.BusyTimeoutMilliseconds / 1000),
        }.ToString();

        var writer = new SqliteConnection(connectionString);
        writer.Open();
        Exec(writer, $"PRAGMA busy_timeout={Options.BusyTimeoutMilliseconds}; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        Exec(writer, "BEGIN IMMEDIATE;" + StoreSchema.Create + "COMMIT;");

        ConsistencyReport? report = null;
        using (var exclusive = TryLockExclusive())
        {
            if (exclusive is not null)
            {
                report = ConsistencyCheck.Run(writer, MessagesDirectory);
            }
        }

        if (report is not null)
        {
            if (report.Repaired)
            {
                Logger.Warning("Storage start-up check repaired the store: {@Report}", report);
            }
            else
            {
                Logger.Information("Storage start-up check found the store consistent ({Messages} messages)", report.Messages);
            }
        }

        LockShared();
        var syncPool = new SyncPool(Options.SyncThreads);
        var committer = new GroupCommitter(writer, Changes, Logger, Options.MaxBatchSize);
        return new OpenState(connectionString, committer, syncPool, new BlobWriter(MessagesDirectory, syncPool, Options), report);
    }

    private FileStream? TryLockExclusive()
    {
        try
        {
            // Held only while the start-up check runs: no other process has the store open then.
            return new FileStream(Path.Combine(_root, "store.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private void LockShared()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                _lockFile = new FileStream(Path.Combine(_root, "store.lock"), FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50); // another process runs its start-up check
            }
        }
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed record OpenState(string ConnectionString, GroupCommitter Committer, SyncPool SyncPool, BlobWriter Blobs, ConsistencyReport? Report);
}
