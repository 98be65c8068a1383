using System.Text.Json.Nodes;

namespace Extensible.Testing;

/// <summary>What a <see cref="TestServer"/> runs.</summary>
public sealed class TestServerOptions
{
    /// <summary>Plugin folders copied from the repository's plugin-bin (for example <c>Storage</c>, <c>Imap</c>).</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>Absolute folders of test-only plugins copied in as they are.</summary>
    public IReadOnlyList<string> ExtraPluginDirectories { get; init; } = [];

    /// <summary>Changes the generated config before the server starts.</summary>
    public Action<JsonObject>? Configure { get; init; }

    /// <summary>Log level for every service (Verbose writes transcripts).</summary>
    public string LogLevel { get; init; } = "Debug";

    /// <summary>Extra environment variables for the server process.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>How long to wait for the listeners.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether to wait for at least one listener (false for servers that only run workers).</summary>
    public bool WaitForListeners { get; init; } = true;
}
