namespace Extensible.Processing.Queue;

/// <summary>Where one recipient of a queued message stands.</summary>
public enum RecipientStatus
{
    /// <summary>Not delivered yet; tried again at the next attempt.</summary>
    Pending,

    /// <summary>Delivered durably (locally or accepted by a remote server).</summary>
    Delivered,

    /// <summary>Failed for good; a DSN went out if asked for.</summary>
    Failed,

    /// <summary>A forwarder replaced by its targets, which follow in the list.</summary>
    Expanded,
}
