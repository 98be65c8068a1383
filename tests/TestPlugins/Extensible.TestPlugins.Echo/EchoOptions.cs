namespace Extensible.TestPlugins.Echo;

/// <summary>Options of the echo service.</summary>
public sealed class EchoOptions
{
    /// <summary>Greeting line.</summary>
    public string Greeting { get; set; } = "echo ready";

    /// <summary>Milliseconds each SLOW command holds its thread (to exercise the thread budget).</summary>
    public int SlowMilliseconds { get; set; } = 200;
}
