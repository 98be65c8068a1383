using System.Diagnostics;
using Extensible.Sdk.Messages;
using Serilog;

namespace Extensible.Processing.Filtering;

/// <summary>Runs the ordered filters Kestrel-style; a filter that throws or times out is retried, then passed over or the message deferred.</summary>
public sealed class FilterChain
{
    private readonly IReadOnlyList<IMessageFilter> _filters;
    private readonly ProcessingOptions _options;
    private readonly ILogger _logger;

    public FilterChain(IEnumerable<IMessageFilter> filters, ProcessingOptions options, ILogger logger)
    {
        var disabled = new HashSet<string>(options.DisabledFilters, StringComparer.OrdinalIgnoreCase);
        _filters = [.. filters.Where(f => !disabled.Contains(f.Name)).OrderBy(f => f.Order).ThenBy(f => f.Name, StringComparer.Ordinal)];
        _options = options;
        _logger = logger;
    }

    /// <summary>The filters that run, in order.</summary>
    public IReadOnlyList<IMessageFilter> Filters => _filters;

    /// <summary>Runs the chain on <paramref name="message"/>; never throws for a filter's failure.</summary>
    public ValueTask<FilterVerdict> RunAsync(MessageContext message)
    {
        MessageFilterDelegate next = static _ => ValueTask.FromResult(FilterVerdict.Accept);
        for (var i = _filters.Count - 1; i >= 0; i--)
        {
            var filter = _filters[i];
            var rest = next;
            next = m => InvokeGuardedAsync(filter, m, rest);
        }
        return next(message);
    }

    private async ValueTask<FilterVerdict> InvokeGuardedAsync(IMessageFilter filter, MessageContext message, MessageFilterDelegate next)
    {
        // The rest of the chain runs at most once, even when this filter is retried or passed over after calling it.
        Task<FilterVerdict>? downstream = null;
        MessageFilterDelegate once = m => new ValueTask<FilterVerdict>(downstream ??= next(m).AsTask());
        var timeout = TimeSpan.FromSeconds(Math.Max(_options.FilterTimeout, 0.001));
        for (var attempt = 0; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            Exception? failure;
            try
            {
                var pending = filter.InvokeAsync(message, once);
                // A filter that finished at once (most do when not configured) needs no timeout timer.
                var verdict = pending.IsCompletedSuccessfully ? pending.Result : await pending.AsTask().WaitAsync(timeout, message.Cancellation);
                if (verdict is not FilterVerdict.Accepted)
                {
                    _logger.Information("Filter {Filter} gave {Verdict} for {QueueId}", filter.Name, verdict, message.QueueId);
                }
                return verdict ?? FilterVerdict.Accept;
            }
            catch (OperationCanceledException) when (message.Cancellation.IsCancellationRequested)
            {
                throw;
            }
            catch (TimeoutException)
            {
                failure = null;
                _logger.Warning("Filter {Filter} timed out after {Elapsed} on {QueueId}", filter.Name, Stopwatch.GetElapsedTime(started), message.QueueId);
            }
            catch (Exception ex)
            {
                failure = ex;
                _logger.Error(ex, "Filter {Filter} failed on {QueueId}", filter.Name, message.QueueId);
            }
            if (downstream is not null)
            {
                // The filter already handed the message on; the rest of the chain's verdict stands.
                return await downstream;
            }
            if (attempt < _options.FilterRetries)
            {
                continue;
            }
            if (_options.OnFilterFailure == FilterFailureAction.Defer)
            {
                return FilterVerdict.TempFail(451, "4.3.0", $"Message filter {filter.Name} is unavailable, try again later");
            }
            _logger.Warning("Filter {Filter} passed over for {QueueId}{Reason}", filter.Name, message.QueueId,
                failure is null ? " (timeout)" : "");
            return await once(message);
        }
    }
}
