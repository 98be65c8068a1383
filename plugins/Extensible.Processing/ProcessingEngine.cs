using System.Collections.Concurrent;
using System.Composition;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Extensible.Processing.Filtering;
using Extensible.Processing.Queue;
using Extensible.Processing.Spool;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;
using Serilog;

namespace Extensible.Processing;

/// <summary>The Processing service's state shared by its parts: the queue, the filter chain, the scheduler and the delivery workers.</summary>
[Export]
[Shared]
public sealed partial class ProcessingEngine
{
    private static readonly TimeSpan FilterRefresh = TimeSpan.FromSeconds(5);

    private readonly PluginContext _context;
    private readonly ConcurrentDictionary<long, byte> _inFlight = new();
    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private ProcessingOptions _options = new();
    private ILogger _logger = Serilog.Core.Logger.None;
    private QueueDatabase? _database;
    private QueueWriter? _writer;
    private Channel<DeliveryItem>? _deliveries;
    private IMessageStore? _store;
    private IUserDirectory? _directory;
    private IRemoteDelivery? _remote;
    private FilterChain? _filters;
    private MemorySpoolBudget _memorySpool = new(0);
    private DateTimeOffset _filtersLoaded;
    private long _nextId;
    private volatile bool _accepting;
    private Counter<long>? _received;
    private Counter<long>? _delivered;
    private Counter<long>? _failed;
    private Counter<long>? _deferred;

    [ImportingConstructor]
    public ProcessingEngine(PluginContext context)
    {
        _context = context;
    }

    /// <summary>The queue database, once started.</summary>
    public QueueDatabase Database => _database ?? throw new InvalidOperationException("Processing has not started.");

    /// <summary>The options in force.</summary>
    public ProcessingOptions Options => _options;

    /// <summary>Opens the queue, clears stale spool files and starts the writer, scheduler and delivery workers.</summary>
    public ValueTask StartAsync(CancellationToken cancellationToken)
    {
        _options = _context.GetOptions<ProcessingOptions>();
        _logger = _context.Logger;
        var database = new QueueDatabase(Path.GetFullPath(Path.Combine(_context.PluginDataDirectory, _options.QueuePath)));
        // Spool files only matter while their submission or delivery runs; after a crash the database has everything.
        foreach (var stale in Directory.EnumerateFiles(database.TempDirectory))
        {
            File.Delete(stale);
        }
        _database = database;
        _writer = new QueueWriter(database, _logger);
        _memorySpool = new MemorySpoolBudget(Math.Max(0, _options.MemorySpoolLimit));
        _deliveries = Channel.CreateBounded<DeliveryItem>(new BoundedChannelOptions(Math.Max(1, _options.ProcQueueSize))
        {
            FullMode = BoundedChannelFullMode.Wait,
        });
        _nextId = Math.Max(database.MaxId(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() << 4);
        _store = _context.GetService<IMessageStore>();
        _directory = _context.GetService<IUserDirectory>();
        _remote = _context.GetService<IRemoteDelivery>();
        LoadFilters();
        CreateMetrics();

        var writer = _writer;
        _context.StartWorker("queue-writer", writer.RunAsync);
        _context.StartWorker("queue-scheduler", RunSchedulerAsync);
        _context.StartWorker("delivery", RunDeliveriesAsync);
        _accepting = true;
        _logger.Information("Queue open at {QueuePath} with {Count} messages; retries every {SchedInterval}s doubling to {MaxSchedInterval}s, {MaxRetryCount} attempts",
            database.QueueDirectory, database.Count(), _options.SchedInterval, _options.MaxSchedInterval, _options.MaxRetryCount);
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops taking submissions; the workers finish when the host cancels them.</summary>
    public ValueTask StopAsync()
    {
        _accepting = false;
        return ValueTask.CompletedTask;
    }

    /// <summary>Reloads options that may change at run time and the filter list.</summary>
    public void Reload()
    {
        var fresh = _context.GetOptions<ProcessingOptions>();
        fresh.QueuePath = _options.QueuePath;
        fresh.ProcQueueSize = _options.ProcQueueSize;
        fresh.MemorySpoolLimit = _options.MemorySpoolLimit;
        _options = fresh;
        LoadFilters();
    }

    private FilterChain Filters
    {
        get
        {
            if (_filters is null || DateTimeOffset.UtcNow - _filtersLoaded > FilterRefresh)
            {
                LoadFilters();
            }
            return _filters!;
        }
    }

    private void LoadFilters()
    {
        IReadOnlyList<IMessageFilter> found;
        try
        {
            found = _context.GetServices<IMessageFilter>();
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "Could not list message filters; keeping the previous chain");
            found = _filters?.Filters ?? [];
        }
        var chain = new FilterChain(found, _options, _logger);
        if (_filters is null || !chain.Filters.SequenceEqual(_filters.Filters))
        {
            _logger.Information("Filter chain: {Filters}", chain.Filters.Select(f => $"{f.Name}({f.Order})").ToArray());
        }
        _filters = chain;
        _filtersLoaded = DateTimeOffset.UtcNow;
    }

    private void CreateMetrics()
    {
        var meter = _context.Meter;
        _received = meter.CreateCounter<long>("processing.messages.queued", description: "Messages taken into the queue");
        _delivered = meter.CreateCounter<long>("processing.recipients.delivered", description: "Recipients delivered");
        _failed = meter.CreateCounter<long>("processing.recipients.failed", description: "Recipients failed for good");
        _deferred = meter.CreateCounter<long>("processing.recipients.deferred", description: "Recipient attempts deferred");
        meter.CreateObservableGauge("processing.deliveries.in_flight", () => _inFlight.Count, description: "Messages being delivered");
    }

    private long NextId() => Interlocked.Increment(ref _nextId);

    private string SpoolPath(long id) => Path.Combine(Database.TempDirectory, QueueIds.Format(id) + ".eml");

    /// <summary>Reads a submitted message into memory when small (within the budget), else into a spool file.</summary>
    private Task<MessageContent> SpoolAsync(Stream content, long id, CancellationToken cancellationToken) =>
        MessageContent.ReadAsync(content, SpoolPath(id), Math.Max(0, _options.MemorySpoolThreshold), _memorySpool, cancellationToken);

    /// <summary>A message handed to the delivery workers, with its content when it was just received (so it is not read back).</summary>
    private sealed record DeliveryItem(QueuedMessage Message, MessageContent? Content);
}
