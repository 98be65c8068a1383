using System.Collections.Concurrent;

namespace Extensible.Hosting.Budget;

/// <summary>
/// Runs one service's work on its own threads: never more than <see cref="MaxThreads"/> at once, growing from
/// <see cref="MinThreads"/> under load and shrinking after idling; awaits inside the work resume here too.
/// </summary>
/// <remarks>
/// Invariant: whenever work is queued, either a thread is running (and drains the queue after its current item), or an
/// idle thread has been claimed and signalled, or a new thread was started. Enqueuers and workers publish their state with
/// interlocked operations before they read the other side's, so neither can miss the other (no lost wakeups).
/// </remarks>
public sealed class ServiceScheduler : TaskScheduler, IDisposable
{
    private static readonly TimeSpan DefaultIdleLifetime = TimeSpan.FromSeconds(30);

    [ThreadStatic]
    private static ServiceScheduler? _current;

    private readonly ConcurrentQueue<Task> _queue = new();
    private readonly WakeSignal _signal = new();
    private readonly string _name;
    private readonly TimeSpan _idleLifetime;
    private int _minThreads;
    private int _maxThreads;
    private int _threads;
    private int _busy;
    private int _idle;
    private volatile bool _disposed;

    /// <summary>Creates the scheduler and starts its minimum threads; idle threads above the minimum retire after <paramref name="idleLifetime"/>.</summary>
    public ServiceScheduler(string name, int minThreads, int maxThreads, TimeSpan? idleLifetime = null)
    {
        _name = name;
        _idleLifetime = idleLifetime ?? DefaultIdleLifetime;
        _maxThreads = Math.Max(1, maxThreads);
        _minThreads = Math.Clamp(minThreads, 0, _maxThreads);
        for (var i = 0; i < _minThreads; i++)
        {
            TryStartThread();
        }
    }

    /// <summary>Threads kept when idle.</summary>
    public int MinThreads => Volatile.Read(ref _minThreads);

    /// <summary>Most threads at once.</summary>
    public int MaxThreads => Volatile.Read(ref _maxThreads);

    /// <summary>Threads that exist now.</summary>
    public int ThreadCount => Volatile.Read(ref _threads);

    /// <summary>Threads running work now (a blocked handler counts as busy).</summary>
    public int BusyThreads => Volatile.Read(ref _busy);

    /// <summary>Work items waiting for a thread.</summary>
    public int QueueLength => _queue.Count;

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => MaxThreads;

    /// <summary>Changes the limits (config reload): threads start at once up to the new minimum (and for queued work); extra threads retire when they finish their item.</summary>
    public void Resize(int minThreads, int maxThreads)
    {
        var max = Math.Max(1, maxThreads);
        Volatile.Write(ref _maxThreads, max);
        Volatile.Write(ref _minThreads, Math.Clamp(minThreads, 0, max));
        while (ThreadCount < MinThreads && TryStartThread())
        {
        }

        // Work that waited at the old maximum gets the new room now.
        for (var queued = QueueLength; queued > 0 && Volatile.Read(ref _idle) == 0 && TryStartThread(); queued--)
        {
        }
    }

    /// <summary>Runs <paramref name="work"/> on this scheduler; its awaits resume on this scheduler's threads.</summary>
    public Task RunAsync(Func<Task> work, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <inheritdoc />
    protected override void QueueTask(Task task)
    {
        if (_disposed)
        {
            // Late continuations of a stopped service still run (and end), on the shared pool.
            RunOnPool(task);
            return;
        }

        _queue.Enqueue(task);
        if (_disposed)
        {
            DrainToPool();
            return;
        }

        if (TryClaimIdle())
        {
            _signal.Release();
            return;
        }

        // No idle thread: grow if the budget allows; otherwise a running thread takes it after its current item.
        TryStartThread();
    }

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _current == this && !taskWasPreviouslyQueued && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>Lets the threads finish their current item and exit; work queued later runs on the shared pool.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _signal.Release(Math.Max(1, ThreadCount + 1));
        DrainToPool();
    }

    private void DrainToPool()
    {
        while (_queue.TryDequeue(out var task))
        {
            RunOnPool(task);
        }
    }

    private void RunOnPool(Task task) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Scheduler.TryExecuteTask(state.Task), (Scheduler: this, Task: task), preferLocal: false);

    private bool TryClaimIdle()
    {
        var idle = Volatile.Read(ref _idle);
        while (idle > 0)
        {
            var seen = Interlocked.CompareExchange(ref _idle, idle - 1, idle);
            if (seen == idle)
            {
                return true;
            }

            idle = seen;
        }

        return false;
    }

    private bool TryStartThread()
    {
        var count = Volatile.Read(ref _threads);
        while (count < MaxThreads)
        {
            var seen = Interlocked.CompareExchange(ref _threads, count + 1, count);
            if (seen == count)
            {
                var thread = new Thread(Run) { IsBackground = true, Name = $"{_name} worker" };
                thread.Start();
                return true;
            }

            count = seen;
        }

        return false;
    }

    /// <summary>Leaves the pool when more than <paramref name="keep"/> threads exist; false when this thread must stay.</summary>
    private bool TryRetire(int keep)
    {
        var count = Volatile.Read(ref _threads);
        while (count > keep)
        {
            var seen = Interlocked.CompareExchange(ref _threads, count - 1, count);
            if (seen == count)
            {
                // An enqueuer may have counted on this thread between our last look and the decrement.
                if (!_queue.IsEmpty && !_disposed)
                {
                    TryStartThread();
                }

                return true;
            }

            count = seen;
        }

        return false;
    }

    private void Run()
    {
        _current = this;
        try
        {
            while (true)
            {
                while (!_disposed && _queue.TryDequeue(out var task))
                {
                    Interlocked.Increment(ref _busy);
                    try
                    {
                        TryExecuteTask(task);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _busy);
                    }

                    if (ThreadCount > MaxThreads && TryRetire(MaxThreads))
                    {
                        return;
                    }
                }

                if (_disposed)
                {
                    Interlocked.Decrement(ref _threads);
                    return;
                }

                if (!WaitForWork())
                {
                    return;
                }
            }
        }
        finally
        {
            _current = null;
        }
    }

    /// <summary>Waits idle until signalled or work appears; false when the thread retired.</summary>
    private bool WaitForWork()
    {
        Interlocked.Increment(ref _idle);

        // Work enqueued after our last dequeue but before we became idle saw no idle thread: take it ourselves.
        if (!_queue.IsEmpty)
        {
            if (TryClaimIdle())
            {
                return true;
            }

            // Someone claimed an idle thread (us, or another): its signal is on the way.
            _signal.Wait();
            return true;
        }

        if (_signal.Wait(_idleLifetime))
        {
            return true;
        }

        // Timed out: withdraw as idle, unless an enqueuer claimed us meanwhile (then its signal is ours to take).
        if (!TryClaimIdle())
        {
            _signal.Wait();
            return true;
        }

        return !TryRetire(MinThreads);
    }
}
