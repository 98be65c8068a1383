namespace Extensible.Sdk.Plugins;

/// <summary>Worker threads and connections a service may use (AXIGEN's minConnThreads, maxConnThreads, maxConnections).</summary>
public sealed record ThreadBudget
{
    /// <summary>Worker threads kept ready even when the service is idle.</summary>
    public int MinThreads { get; init; } = 2;

    /// <summary>Most threads that run the service's code at once; more work waits in the service's queue.</summary>
    public int MaxThreads { get; init; } = 8;

    /// <summary>Open connections across all the service's listeners; beyond it a client gets the protocol's busy reply.</summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>The budget a plugin gets when it declares none.</summary>
    public static ThreadBudget Default { get; } = new();
}
