using System.Diagnostics.Metrics;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Plugins;

namespace Extensible.SmtpSending.Tests.Support;

/// <summary>A plugin context for running a plugin part in process: fixed options, a real resolver, a collecting logger.</summary>
internal sealed class TestPluginContext(object options, IDnsResolver dns, string serverName = "sender.test") : PluginContext, IDisposable
{
    private readonly Meter _meter = new("Extensible.test");

    public override string PluginId => "smtp-sending";

    public override string ServerName => serverName;

    public override string PrimaryDomain => "sender.test";

    public override string DataDirectory => Path.GetTempPath();

    public override string PluginDataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ext-sending-" + Guid.NewGuid().ToString("N"));

    public override Serilog.ILogger Logger { get; } = Serilog.Core.Logger.None;

    public override Meter Meter => _meter;

    public override ServiceLimits Limits { get; } = new();

    public override TOptions GetOptions<TOptions>() => options as TOptions ?? new TOptions();

    public override IDisposable OnReload(Action callback) => this;

    public override T? GetService<T>() where T : class => dns as T;

    public override IReadOnlyList<T> GetServices<T>() => GetService<T>() is { } service ? [service] : [];

    public override void Listen(MailConnectionHandler handler) => throw new NotSupportedException();

    public override void StartWorker(string name, Func<CancellationToken, Task> loop) => throw new NotSupportedException();

    public override Task RunAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default) => work(cancellationToken);

    public void Dispose()
    {
        _meter.Dispose();
        if (Directory.Exists(PluginDataDirectory))
        {
            Directory.Delete(PluginDataDirectory, recursive: true);
        }
    }
}
