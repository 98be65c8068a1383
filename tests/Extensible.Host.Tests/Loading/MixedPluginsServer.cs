using Extensible.Host.Tests.Support;
using Extensible.Testing;

namespace Extensible.Host.Tests.Loading;

/// <summary>One real server started on a plugin-bin mixing usable plugins with refused, throwing and broken ones.</summary>
public sealed class MixedPluginsServer : IAsyncLifetime
{
    /// <summary>The running server.</summary>
    public TestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await TestServer.StartAsync(new TestServerOptions
        {
            ExtraPluginDirectories = [.. new[] { "Echo", "FutureSdk", "OtherMajor", "Throwing", "Json12", "Json13", "OwnComposition" }.Select(TestPlugins.Folder)],
        }, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
