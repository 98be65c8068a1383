namespace Extensible.Storage;

/// <summary>Options of the embedded store, bound from <c>Services:storage:Options</c>.</summary>
public sealed class StorageOptions
{
    /// <summary>Accepts <c>{PLAIN}</c> stored passwords (imports only); off by default.</summary>
    public bool AllowPlainPasswords { get; set; }

    /// <summary>Byte limit given to new accounts without <c>--quota</c>; 0 means unlimited.</summary>
    public long DefaultQuotaBytes { get; set; }

    /// <summary>Message-count limit given to new accounts; 0 means unlimited.</summary>
    public long DefaultQuotaMessages { get; set; }

    /// <summary>Largest message accepted in bytes; 0 means no limit.</summary>
    public long MaxMessageSize { get; set; } = 200L * 1024 * 1024;

    /// <summary>Messages up to this size are stored inside the database, sharing its group-committed fsync; larger ones get a file.</summary>
    public int InlineThreshold { get; set; } = 64 * 1024;

    /// <summary>Most write operations committed together in one transaction (group commit).</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>Dedicated threads that fsync message files, so concurrent writers share journal commits.</summary>
    public int SyncThreads { get; set; } = 8;

    /// <summary>How long SQLite waits for another process's write lock, in milliseconds.</summary>
    public int BusyTimeoutMilliseconds { get; set; } = 10_000;

    /// <summary>Argon2id memory cost in KiB for new hashes (OWASP: 19 MiB).</summary>
    public int Argon2MemoryKib { get; set; } = 19 * 1024;

    /// <summary>Argon2id iterations for new hashes.</summary>
    public int Argon2Iterations { get; set; } = 2;

    /// <summary>Argon2id parallelism for new hashes.</summary>
    public int Argon2Parallelism { get; set; } = 1;

    /// <summary>PBKDF2 iterations of the SCRAM-SHA-256 keys stored with each password.</summary>
    public int ScramIterations { get; set; } = 4096;

    /// <summary>How long a successful password verification is remembered, in seconds; 0 disables the cache.</summary>
    public int AuthCacheSeconds { get; set; } = 60;

    /// <summary>Most remembered verifications.</summary>
    public int AuthCacheSize { get; set; } = 10_000;
}
