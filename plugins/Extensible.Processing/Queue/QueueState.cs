namespace Extensible.Processing.Queue;

/// <summary>Which part of the queue a message is in.</summary>
public enum QueueState
{
    /// <summary>Waiting for delivery or retry.</summary>
    Active = 0,

    /// <summary>Held by a filter's quarantine verdict until an administrator retries or deletes it.</summary>
    Quarantined = 1,
}
