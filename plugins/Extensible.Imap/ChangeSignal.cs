namespace Extensible.Imap;

/// <summary>An auto-reset signal a store callback sets and a session awaits; safe to set from any thread.</summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes the current waiter, or the next one if nobody waits.</summary>
    public void Set() => Volatile.Read(ref _source).TrySetResult();

    /// <summary>A task that completes when the signal is set; the signal resets once that happened.</summary>
    public Task WaitAsync()
    {
        var source = Volatile.Read(ref _source);
        if (source.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _source, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), source);
            return Task.CompletedTask;
        }

        return source.Task;
    }

    /// <summary>Clears a pending signal that nobody needs any more.</summary>
    public void Reset()
    {
        var source = Volatile.Read(ref _source);
        if (source.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _source, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), source);
        }
    }
}
