using System.Diagnostics.Metrics;
using System.Text.Json;

namespace Extensible.Hosting.Budget;

/// <summary>
/// Publishes every service's budget gauges: through the <c>Extensible.Host</c> meter, and by writing
/// <c>&lt;data&gt;/run/stats.json</c> atomically every period so they can be read from outside the process.
/// </summary>
public sealed class HostStatistics : IAsyncDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Extensible.Host";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private readonly string _path;
    private readonly Func<IReadOnlyList<ServiceSnapshot>> _source;
    private readonly Serilog.ILogger _logger;
    private readonly Meter _meter;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private bool _writeFailed;

    /// <summary>Creates the meter and its instruments; call <see cref="Start"/> to write the file periodically.</summary>
    public HostStatistics(string dataDirectory, Func<IReadOnlyList<ServiceSnapshot>> source, Serilog.ILogger logger)
    {
        _path = Path.Combine(dataDirectory, "run", "stats.json");
        _source = source;
        _logger = logger;
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("extensible.service.threads", () => Measure(s => s.Threads), "{thread}", "Worker threads of the service");
        _meter.CreateObservableGauge("extensible.service.threads.busy", () => Measure(s => s.Busy), "{thread}", "Worker threads running the service's code");
        _meter.CreateObservableGauge("extensible.service.queue", () => Measure(s => s.Queue), "{item}", "Work waiting for a worker thread");
        _meter.CreateObservableGauge("extensible.service.connections", () => Measure(s => s.Connections), "{connection}", "Open connections");
        _meter.CreateObservableCounter("extensible.service.refusals", MeasureRefusals, "{connection}", "Connections refused by access rules and flow limits");
    }

    /// <summary>The file written.</summary>
    public string FilePath => _path;

    /// <summary>Writes the file now and then every <paramref name="period"/> until disposed.</summary>
    public void Start(TimeSpan period)
    {
        WriteNow();
        _loop = LoopAsync(period, _stop.Token);
    }

    /// <summary>Writes <c>stats.json</c> once (temp file and rename); an I/O error is logged once, not thrown.</summary>
    public void WriteNow()
    {
        var services = _source();
        var document = new
        {
            pid = Environment.ProcessId,
            time = DateTimeOffset.UtcNow,
            services = services.ToDictionary(s => s.Service, s => new
            {
                minThreads = s.MinThreads,
                maxThreads = s.MaxThreads,
                maxConnections = s.MaxConnections,
                threads = s.Threads,
                busy = s.Busy,
                queue = s.Queue,
                connections = s.Connections,
                refusals = s.TotalRefusals,
                refusalsByReason = s.Refusals,
                proxyFailures = s.ProxyFailures,
            }, StringComparer.Ordinal),
        };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(document, JsonOptions));
            File.Move(temp, _path, overwrite: true);
            _writeFailed = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_writeFailed)
            {
                _logger.Warning("Cannot write {Path}: {Error}", _path, ex.Message);
                _writeFailed = true;
            }
        }
    }

    /// <summary>Stops writing, removes the file and disposes the meter.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _meter.Dispose();
        _stop.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }

    private async Task LoopAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            WriteNow();
        }
    }

    private IEnumerable<Measurement<int>> Measure(Func<ServiceSnapshot, int> value) =>
        _source().Select(s => new Measurement<int>(value(s), new KeyValuePair<string, object?>("service", s.Service))).ToList();

    private IEnumerable<Measurement<long>> MeasureRefusals() =>
        _source().SelectMany(s => s.Refusals.Select(r => new Measurement<long>(r.Value,
            new KeyValuePair<string, object?>("service", s.Service), new KeyValuePair<string, object?>("reason", r.Key)))).ToList();
}
