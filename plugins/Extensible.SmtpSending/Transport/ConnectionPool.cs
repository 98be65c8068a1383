namespace Extensible.SmtpSending.Transport;

/// <summary>Open SMTP connections kept per destination for reuse, and the per-destination concurrency limit.</summary>
/// <remarks>A <see cref="Lease"/> is one slot of the limit; idle connections wait in the pool until reused or reaped.</remarks>
internal sealed class ConnectionPool(Func<int> maxPerKey, Func<TimeSpan> idleTimeout, Serilog.ILogger logger) : IAsyncDisposable
{
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();
    private bool _disposed;

    /// <summary>Connections currently idle in the pool, for tests and metrics.</summary>
    public int IdleCount
    {
        get
        {
            lock (_gate)
            {
                return _slots.Values.Sum(s => s.Idle.Count);
            }
        }
    }

    /// <summary>Waits for a free slot for the key (at most the configured connections per destination run at once).</summary>
    public async ValueTask<Lease> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        Slot slot;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_slots.TryGetValue(key, out slot!))
            {
                slot = new Slot(Math.Max(1, maxPerKey()));
                _slots[key] = slot;
            }

            slot.Users++;
        }

        try
        {
            await slot.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            lock (_gate)
            {
                slot.Users--;
            }

            throw;
        }

        return new Lease(this, slot);
    }

    /// <summary>Closes connections idle for longer than the idle timeout and forgets unused destinations.</summary>
    public async Task ReapAsync(CancellationToken cancellationToken)
    {
        var expired = new List<DeliveryClient>();
        var limit = DateTimeOffset.UtcNow - idleTimeout();
        lock (_gate)
        {
            foreach (var (key, slot) in _slots.ToList())
            {
                while (slot.Idle.Count > 0 && slot.Idle.Peek().IdleSince <= limit)
                {
                    expired.Add(slot.Idle.Dequeue());
                }

                if (slot.Users == 0 && slot.Idle.Count == 0)
                {
                    _slots.Remove(key);
                    slot.Gate.Dispose();
                }
            }
        }

        foreach (var client in expired)
        {
            await CloseAsync(client, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        List<DeliveryClient> idle;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _slots.Values.SelectMany(s => s.Idle)];
            foreach (var slot in _slots.Values)
            {
                slot.Idle.Clear();
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Task.WhenAll(idle.Select(c => CloseAsync(c, timeout.Token)));
    }

    /// <summary>Sends QUIT (briefly) and disposes the client; errors are logged, never thrown.</summary>
    internal async Task CloseAsync(DeliveryClient client, CancellationToken cancellationToken)
    {
        try
        {
            if (client.IsConnected)
            {
                using var quit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                quit.CancelAfter(TimeSpan.FromSeconds(5));
                await client.DisconnectAsync(true, quit.Token);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.Debug("Closing the connection to {RemoteHost} failed: {Error}", client.RemoteHost, ex.Message);
        }
        finally
        {
            client.Dispose();
        }
    }

    private void Return(Slot slot, DeliveryClient? client, bool reusable, int maxMessages)
    {
        var close = client;
        lock (_gate)
        {
            if (client is not null && reusable && !_disposed && client.IsConnected && client.MessagesSent < maxMessages)
            {
                client.IdleSince = DateTimeOffset.UtcNow;
                slot.Idle.Enqueue(client);
                close = null;
            }

            slot.Users--;
        }

        slot.Gate.Release();
        if (close is not null)
        {
            _ = CloseAsync(close, CancellationToken.None);
        }
    }

    private DeliveryClient? TakeIdle(Slot slot)
    {
        var limit = DateTimeOffset.UtcNow - idleTimeout();
        var stale = new List<DeliveryClient>();
        DeliveryClient? found = null;
        lock (_gate)
        {
            while (slot.Idle.Count > 0)
            {
                var candidate = slot.Idle.Dequeue();
                if (candidate.IsConnected && candidate.IdleSince > limit)
                {
                    found = candidate;
                    break;
                }

                stale.Add(candidate);
            }
        }

        foreach (var client in stale)
        {
            _ = CloseAsync(client, CancellationToken.None);
        }

        return found;
    }

    /// <summary>One slot of a destination's connection limit, held for one delivery.</summary>
    internal sealed class Lease : IDisposable
    {
        private readonly ConnectionPool _pool;
        private readonly Slot _slot;
        private DeliveryClient? _client;
        private bool _reusable;
        private int _maxMessages = int.MaxValue;
        private bool _disposed;

        public Lease(ConnectionPool pool, Slot slot)
        {
            _pool = pool;
            _slot = slot;
        }

        /// <summary>An idle connection of this destination that is still open, or null.</summary>
        public DeliveryClient? TakeIdle() => _pool.TakeIdle(_slot);

        /// <summary>Sets the connection to give back (or close) when the lease ends.</summary>
        public void Keep(DeliveryClient? client, bool reusable, int maxMessages)
        {
            _client = client;
            _reusable = reusable;
            _maxMessages = maxMessages;
        }

        /// <summary>Frees the slot and pools or closes the kept connection.</summary>
        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _pool.Return(_slot, _client, _reusable, _maxMessages);
        }
    }

    /// <summary>A destination's limit and idle connections.</summary>
    internal sealed class Slot(int limit)
    {
        public SemaphoreSlim Gate { get; } = new(limit, limit);

        public Queue<DeliveryClient> Idle { get; } = new();

        public int Users { get; set; }
    }
}
