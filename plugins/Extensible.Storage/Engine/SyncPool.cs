using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Extensible.Storage.Engine;

/// <summary>Dedicated threads that fsync files, so concurrent writers' flushes overlap and share journal commits without starving the thread pool.</summary>
internal sealed class SyncPool : IDisposable
{
    private readonly BlockingCollection<(SafeFileHandle Handle, TaskCompletionSource Done)> _queue = new();
    private readonly Thread[] _threads;

    /// <summary>Starts <paramref name="threads"/> background threads.</summary>
    public SyncPool(int threads)
    {
        _threads = new Thread[Math.Max(1, threads)];
        for (var i = 0; i < _threads.Length; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"storage-fsync-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Completes once the file's data and size are on stable storage.</summary>
    public Task FlushAsync(SafeFileHandle handle)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((handle, done));
        return done.Task;
    }

    /// <inheritdoc />
    public void Dispose() => _queue.CompleteAdding();

    private void Run()
    {
        foreach (var (handle, done) in _queue.GetConsumingEnumerable())
        {
            try
            {
                RandomAccess.FlushToDisk(handle);
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }
    }
}
