using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;
using Serilog;

namespace Extensible.Processing.Tests.Support;

/// <summary>A plugin context for driving the Processing engine in-process: real folders, real workers, given services.</summary>
public sealed class TestPluginContext : PluginContext, IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _workers = [];
    private readonly Dictionary<Type, List<object>> _services = [];

    private readonly bool _ownsDirectory;

    public TestPluginContext(ProcessingOptions options, string? dataDirectory = null)
    {
        Options = options;
        _ownsDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "ext-proc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    public ProcessingOptions Options { get; }

    public ConcurrentQueue<string> LogLines { get; } = new();

    public override string PluginId => "processing";

    public override string ServerName => "mx.example.test";

    public override string PrimaryDomain => "example.test";

    public override string DataDirectory { get; }

    public override string PluginDataDirectory => Path.Combine(DataDirectory, "processing");

    public override ILogger Logger => field ??= new LoggerConfiguration().MinimumLevel.Debug()
        .WriteTo.Sink(new CollectingSink(LogLines)).CreateLogger();

    public override Meter Meter { get; } = new("Extensible.processing.tests");

    public override ServiceLimits Limits { get; } = new();

    public void Add<T>(T service) where T : class
    {
        if (!_services.TryGetValue(typeof(T), out var list))
        {
            _services[typeof(T)] = list = [];
        }
        list.Add(service);
    }

    public override TOptions GetOptions<TOptions>() => Options as TOptions ?? new TOptions();

    public override IDisposable OnReload(Action callback) => new Noop();

    public override T? GetService<T>() where T : class =>
        _services.TryGetValue(typeof(T), out var list) ? (T)list[^1] : null;

    public override IReadOnlyList<T> GetServices<T>() =>
        _services.TryGetValue(typeof(T), out var list) ? [.. list.Cast<T>()] : [];

    public override void Listen(MailConnectionHandler handler) => throw new NotSupportedException();

    public override void StartWorker(string name, Func<CancellationToken, Task> loop) =>
        _workers.Add(Task.Run(() => loop(_stopping.Token)));

    public override Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default) =>
        Task.Run(() => work(cancellationToken), cancellationToken);

    /// <summary>Cancels the workers and waits for them, as the host does on stop.</summary>
    public async Task StopWorkersAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopWorkersAsync();
        }
        Meter.Dispose();
        _stopping.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!_ownsDirectory)
        {
            return;
        }
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Noop : IDisposable
    {
        public void Dispose()
        {
        }
    }

    private sealed class CollectingSink(ConcurrentQueue<string> lines) : Serilog.Core.ILogEventSink
    {
        public void Emit(Serilog.Events.LogEvent logEvent) =>
            lines.Enqueue($"{logEvent.Level} {logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)} {logEvent.Exception}");
    }
}
