using System.Text.Json;
using System.Text.Json.Nodes;
using Extensible.Testing;

namespace Extensible.Host.Tests.Networking;

/// <summary>Starts the real host with the test-only Echo and Burner plugins, and reads its run files.</summary>
internal static class HostFixture
{
    public static string EchoPlugin => Path.Combine(RepoPaths.Root, "tests/TestPlugins/plugin-bin/Echo");

    public static string BurnerPlugin => Path.Combine(RepoPaths.Root, "tests/TestPlugins/plugin-bin/Burner");

    public static Task<TestServer> StartAsync(Action<JsonObject>? configure = null, bool burner = false, bool echo = true, bool waitForListeners = true) =>
        TestServer.StartAsync(new TestServerOptions
        {
            ExtraPluginDirectories = [.. echo ? [EchoPlugin] : Array.Empty<string>(), .. burner ? [BurnerPlugin] : Array.Empty<string>()],
            Configure = configure,
            WaitForListeners = waitForListeners,
        }, TestContext.Current.CancellationToken);

    /// <summary>Starts the host and waits until it handles signals: listeners.json appears before the SIGTERM/SIGHUP handlers are registered.</summary>
    public static async Task<TestServer> StartForSignalsAsync(Action<JsonObject>? configure = null)
    {
        var server = await StartAsync(configure);
        try
        {
            await server.WaitForLogAsync(l => l.Contains("Extensible running", StringComparison.Ordinal), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A listener entry for <c>Services:&lt;id&gt;:Listeners</c>.</summary>
    public static JsonObject Listener(string name, string address = "127.0.0.1:0", JsonObject? extra = null)
    {
        var listener = new JsonObject { ["Name"] = name, ["Address"] = address };
        foreach (var (key, value) in extra ?? [])
        {
            listener[key] = value?.DeepClone();
        }

        return listener;
    }

    /// <summary>A rule entry.</summary>
    public static JsonObject Rule(string address, string action, int priority = 500) =>
        new() { ["Address"] = address, ["Action"] = action, ["Priority"] = priority };

    /// <summary>The service's entry in <c>run/stats.json</c>, or null before the host wrote it.</summary>
    public static JsonElement? Stats(TestServer server, string service)
    {
        var path = Path.Combine(server.DataDirectory, "run", "stats.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.GetProperty("services").TryGetProperty(service, out var entry) ? entry.Clone() : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>Polls <c>stats.json</c> (written every second) until the condition holds; fails after 30 s.</summary>
    public static async Task<JsonElement> WaitForStatsAsync(TestServer server, string service, Func<JsonElement, bool> condition)
    {
        JsonElement? last = null;
        for (var i = 0; i < 300; i++)
        {
            last = Stats(server, service);
            if (last is { } stats && condition(stats))
            {
                return stats;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new Xunit.Sdk.XunitException($"stats.json for {service} never matched; last: {last}\n{server.LogTail()}");
    }
}
