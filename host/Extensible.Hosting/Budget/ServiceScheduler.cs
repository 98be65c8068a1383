using System.Collections.Concurrent;

namespace Extensible.Hosting.Budget;

/// <summary>
/// Runs one service's work on its own threads: never more than <see cref="MaxThreads"/> at once, growing from
/// <see cref="MinThreads"/> under load and shrinking after idling; awaits inside the work resume here too.
/// </summary>
public sealed class ServiceScheduler : TaskScheduler, IDisposable
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(30);

    [ThreadStatic]
    private static ServiceScheduler? _current;

    private readonly ConcurrentQueue<Task> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly string _name;
    private int _threads;
    private int _busy;
    private int _idle;
    private volatile bool _disposed;

    /// <summary>Creates the scheduler and starts its minimum threads.</summary>
    public ServiceScheduler(string name, int minThreads, int maxThreads)
    {
        _name = name;
        MaxThreads = Math.Max(1, maxThreads);
        MinThreads = Math.Clamp(minThreads, 0, MaxThreads);
        for (var i = 0; i < MinThreads; i++)
        {
            StartThread();
        }
    }

    /// <summary>Threads kept when idle.</summary>
    public int MinThreads { get; private set; }

    /// <summary>Most threads at once.</summary>
    public int MaxThreads { get; private set; }

    /// <summary>Threads that exist now.</summary>
    public int ThreadCount => Volatile.Read(ref _threads);

    /// <summary>Threads running work now.</summary>
    public int BusyThreads => Volatile.Read(ref _busy);

    /// <summary>Work items waiting for a thread.</summary>
    public int QueueLength => _queue.Count;

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => MaxThreads;

    /// <summary>Changes the limits (config reload); extra threads retire when idle.</summary>
    public void Resize(int minThreads, int maxThreads)
    {
        MaxThreads = Math.Max(1, maxThreads);
        MinThreads = Math.Clamp(minThreads, 0, MaxThreads);
        while (ThreadCount < MinThreads)
        {
            StartThread();
        }
    }

    /// <summary>Runs <paramref name="work"/> on this scheduler; its awaits resume on this scheduler's threads.</summary>
    public Task RunAsync(Func<Task> work, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, this).Unwrap();

    /// <inheritdoc />
    protected override void QueueTask(Task task)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _queue.Enqueue(task);
        if (Volatile.Read(ref _idle) == 0 && ThreadCount < MaxThreads)
        {
            StartThread();
        }

        _signal.Release();
    }

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _current == this && !taskWasPreviouslyQueued && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    /// <summary>Lets the threads finish their current item and exit.</summary>
    public void Dispose()
    {
        _disposed = true;
        _signal.Release(Math.Max(1, ThreadCount));
    }

    private void StartThread()
    {
        var count = Interlocked.Increment(ref _threads);
        if (count > MaxThreads)
        {
            Interlocked.Decrement(ref _threads);
            return;
        }

        var thread = new Thread(Run) { IsBackground = true, Name = $"{_name} worker" };
        thread.Start();
    }

    private void Run()
    {
        _current = this;
        try
        {
            while (!_disposed)
            {
                Interlocked.Increment(ref _idle);
                var signalled = _signal.Wait(IdleLifetime);
                Interlocked.Decrement(ref _idle);
                if (!signalled)
                {
                    if (ThreadCount > MinThreads)
                    {
                        return;
                    }

                    continue;
                }

                while (_queue.TryDequeue(out var task))
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
                }

                if (ThreadCount > MaxThreads)
                {
                    return;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _threads);
            _current = null;
        }
    }
}
