namespace Extensible.Sdk.Plugins;

/// <summary>Per-service error limits from config (AXIGEN's maxErrors and maxAuthErrors); reloadable.</summary>
public sealed record ServiceLimits
{
    /// <summary>Protocol errors a session may make before the service drops the connection.</summary>
    public int MaxErrors { get; init; } = 10;

    /// <summary>Failed authentications a session may make before the connection is dropped and the peer slowed down.</summary>
    public int MaxAuthErrors { get; init; } = 3;
}
