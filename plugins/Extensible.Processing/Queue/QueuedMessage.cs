namespace Extensible.Processing.Queue;

/// <summary>One message's queue record: envelope, per-recipient state, attempts and schedule.</summary>
public sealed class QueuedMessage
{
    /// <summary>The numeric id (the row id); shown in hex as the queue id.</summary>
    public long Id { get; set; }

    public required StoredEnvelope Envelope { get; set; }

    public required List<RecipientState> Recipients { get; set; }

    public List<HeaderEdit> HeaderEdits { get; set; } = [];

    /// <summary>Size of the spooled content in bytes.</summary>
    public long Size { get; set; }

    public QueueState State { get; set; }

    /// <summary>Attempts made so far (AXIGEN's retry count).</summary>
    public int Attempts { get; set; }

    /// <summary>When the next attempt is due.</summary>
    public DateTimeOffset NextAttempt { get; set; }

    /// <summary>Why the message is deferred or held, for the admin view.</summary>
    public string? Reason { get; set; }

    /// <summary>Remote domains that deferred the message; a success to one of them schedules it at once.</summary>
    public List<string> DeferredDomains { get; set; } = [];

    /// <summary>The queue id as shown to users and in logs.</summary>
    public string QueueId => QueueIds.Format(Id);
}
