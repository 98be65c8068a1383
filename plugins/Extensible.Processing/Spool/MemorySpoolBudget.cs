namespace Extensible.Processing.Spool;

/// <summary>Caps the bytes of message content held in memory at once; beyond it, content goes to spool files.</summary>
public sealed class MemorySpoolBudget(long limit)
{
    private long _used;

    /// <summary>Bytes held now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>Takes <paramref name="bytes"/> from the budget; false when that would exceed the limit.</summary>
    public bool TryReserve(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back bytes taken by <see cref="TryReserve"/>.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
