using Extensible.Processing.Queue;

namespace Extensible.Processing;

public sealed partial class ProcessingEngine
{
    /// <summary>Polls the queue for due messages (new, retried, or made due by an admin command) and hands them to the workers.</summary>
    private async Task RunSchedulerAsync(CancellationToken cancellationToken)
    {
        var database = Database;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in database.DueIds(DateTimeOffset.UtcNow, Math.Max(1, _options.ProcQueueSize)))
                {
                    if (!_inFlight.TryAdd(id, 0))
                    {
                        continue;
                    }
                    var message = database.Load(id);
                    if (message is null || message.State != QueueState.Active)
                    {
                        _inFlight.TryRemove(id, out _);
                        continue;
                    }
                    await _deliveries!.Writer.WriteAsync(new DeliveryItem(message, null), cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.Error(ex, "Queue scan failed; trying again at the next poll");
            }
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(Math.Max(0.01, _options.PollInterval)), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Runs delivery attempts, at most <see cref="ProcessingOptions.DeliveryThreads"/> at once, until stopped.</summary>
    private async Task RunDeliveriesAsync(CancellationToken cancellationToken)
    {
        var limit = Math.Max(1, _options.DeliveryThreads);
        using var slots = new SemaphoreSlim(limit, limit);
        try
        {
            while (await _deliveries!.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_deliveries.Reader.TryRead(out var item))
                {
                    await slots.WaitAsync(cancellationToken);
                    _ = RunOneAsync(item);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        // Let running attempts finish (they see the cancellation) so their results are committed before the writer stops.
        for (var i = 0; i < limit; i++)
        {
            if (!await slots.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None))
            {
                _logger.Warning("Delivery attempts still running at shutdown; they are retried after restart");
                break;
            }
        }

        async Task RunOneAsync(DeliveryItem item)
        {
            try
            {
                // No yield first: an attempt runs inline only until its first real wait (the store's commit), cheaper than a hop.
                await AttemptAsync(item, cancellationToken);
            }
            finally
            {
                slots.Release();
            }
        }
    }
}
