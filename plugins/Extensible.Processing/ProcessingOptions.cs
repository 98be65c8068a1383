namespace Extensible.Processing;

/// <summary>The Processing service's options (<c>Services:processing:Options</c>); times are in seconds.</summary>
public sealed class ProcessingOptions
{
    /// <summary>Queue folder, relative to the plugin's data directory (AXIGEN's queuePath).</summary>
    public string QueuePath { get; set; } = "queue";

    /// <summary>First retry delay (AXIGEN's schedInterval).</summary>
    public double SchedInterval { get; set; } = 300;

    /// <summary>Cap for the doubling retry delay (AXIGEN's maxSchedInterval).</summary>
    public double MaxSchedInterval { get; set; } = 28_800;

    /// <summary>Delivery attempts before a recipient fails for good (AXIGEN's maxRetryCount).</summary>
    public int MaxRetryCount { get; set; } = 20;

    /// <summary>How often the queue is checked for due messages and admin changes.</summary>
    public double PollInterval { get; set; } = 1;

    /// <summary>In-memory delivery queue size (AXIGEN's procQueueSize); beyond it messages wait for the next poll.</summary>
    public int ProcQueueSize { get; set; } = 256;

    /// <summary>Messages delivered at once (AXIGEN's deliveryThreads).</summary>
    public int DeliveryThreads { get; set; } = 20;

    /// <summary>Longest time one filter may take before it counts as failed.</summary>
    public double FilterTimeout { get; set; } = 30;

    /// <summary>Extra tries for a filter that throws or times out, before <see cref="OnFilterFailure"/> applies.</summary>
    public int FilterRetries { get; set; }

    /// <summary>What a failing filter means for the message: pass over the filter, or defer the message (451).</summary>
    public FilterFailureAction OnFilterFailure { get; set; } = FilterFailureAction.Pass;

    /// <summary>Filter names never run.</summary>
    public List<string> DisabledFilters { get; set; } = [];

    /// <summary>How deep forwarders may expand before the recipient fails as a loop (5.4.6).</summary>
    public int MaxForwardDepth { get; set; } = 10;

    /// <summary>True to bounce over-quota recipients at once (5.2.2); false to retry them (4.2.2).</summary>
    public bool QuotaExceededIsPermanent { get; set; } = true;

    /// <summary>Largest original returned whole in a DSN when RET=HDRS was not asked; larger ones return headers only.</summary>
    public long DsnFullReturnLimit { get; set; } = 256 * 1024;

    /// <summary>Messages up to this size are held in memory from submission to their first delivery attempt, not in a spool file.</summary>
    public int MemorySpoolThreshold { get; set; } = 64 * 1024;

    /// <summary>Most bytes of message content held in memory at once; past it, new messages are spooled to files.</summary>
    public long MemorySpoolLimit { get; set; } = 64L * 1024 * 1024;

    /// <summary>Longest an attempt may take before it counts as a temporary failure of its pending recipients.</summary>
    public double AttemptTimeout { get; set; } = 600;
}

/// <summary>What happens to a message when a filter throws or times out.</summary>
public enum FilterFailureAction
{
    /// <summary>The filter is passed over and the chain continues (logged).</summary>
    Pass,

    /// <summary>The message is refused for now (451 4.3.0), so the sender retries; nothing is queued.</summary>
    Defer,
}
