namespace Extensible.Sdk.Storage;

/// <summary>Why a store operation failed, in terms a protocol can answer with.</summary>
public enum StoreError
{
    /// <summary>The folder or message does not exist (any more).</summary>
    NotFound,

    /// <summary>A folder with that name exists.</summary>
    AlreadyExists,

    /// <summary>The name is not allowed (path tricks, control characters, empty parts).</summary>
    InvalidName,

    /// <summary>The operation would exceed the account's quota.</summary>
    QuotaExceeded,

    /// <summary>The operation is not allowed on this folder (for example deleting INBOX).</summary>
    NotAllowed,

    /// <summary>The message is larger than the store accepts.</summary>
    TooLarge,

    /// <summary>A temporary failure (disk full, I/O error); the caller may retry later.</summary>
    Unavailable,
}

/// <summary>A store failure with a reason a protocol can map to its reply.</summary>
/// <param name="error">What went wrong.</param>
/// <param name="message">Text safe to show a client.</param>
/// <param name="inner">The underlying exception, if any.</param>
public sealed class StoreException(StoreError error, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What went wrong.</summary>
    public StoreError Error { get; } = error;
}
