using System.Diagnostics.Metrics;
using Extensible.Hosting.Dns;
using Extensible.Processing.Filters;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Plugins;
using Extensible.Testing.Dns;

namespace Extensible.Processing.Tests.Filters.Support;

/// <summary>A plugin context for running built-in filters in process: given filter options and the host's DNR against a loopback DNS server.</summary>
public sealed class FilterPluginContext : PluginContext, IDisposable
{
    private readonly Meter _meter = new("Extensible.processing.filters.tests");
    private readonly IDnsResolver _dns;

    public FilterPluginContext(BuiltInFilterOptions filters, LoopbackDnsServer? dns = null)
    {
        Options = new ProcessingFilterOptions { Filters = filters };
        _dns = new DnrResolver(
            new DnrOptions { NameServers = dns is null ? [] : [new NameServerOptions { Address = $"127.0.0.1:{dns.Port}" }], TimeoutSeconds = 1, Retries = 0 },
            Serilog.Core.Logger.None);
        DataDirectory = Path.Combine(Path.GetTempPath(), "ext-filters-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    public ProcessingFilterOptions Options { get; }

    public override string PluginId => "processing";

    public override string ServerName => "mx.example.test";

    public override string PrimaryDomain => "example.test";

    public override string DataDirectory { get; }

    public override string PluginDataDirectory => DataDirectory;

    public override Serilog.ILogger Logger => Serilog.Core.Logger.None;

    public override Meter Meter => _meter;

    public override ServiceLimits Limits { get; } = new();

    public override TOptions GetOptions<TOptions>() => Options as TOptions ?? new TOptions();

    public override IDisposable OnReload(Action callback) => this;

    public override T? GetService<T>() where T : class => _dns as T;

    public override IReadOnlyList<T> GetServices<T>() => GetService<T>() is { } service ? [service] : [];

    public override void Listen(MailConnectionHandler handler) => throw new NotSupportedException();

    public override void StartWorker(string name, Func<CancellationToken, Task> loop) => throw new NotSupportedException();

    public override Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default) => work(cancellationToken);

    public void Dispose()
    {
        _meter.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
