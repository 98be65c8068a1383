using Extensible.Processing.Spool;

namespace Extensible.Processing.Queue;

/// <summary>A change waiting for the queue writer's next batch.</summary>
internal abstract record QueueOperation
{
    /// <summary>Completed once the batch holding this change is committed.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public sealed record Insert(QueuedMessage Message, MessageContent Content) : QueueOperation;

    public sealed record Update(QueuedMessage Message) : QueueOperation;

    public sealed record Remove(long Id) : QueueOperation;

    public sealed record ScheduleDomain(string Domain) : QueueOperation;
}
