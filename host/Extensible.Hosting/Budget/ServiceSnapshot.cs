namespace Extensible.Hosting.Budget;

/// <summary>One service's budget and flow counters at one instant, as published in <c>run/stats.json</c> and the <c>Extensible.Host</c> meter.</summary>
/// <param name="Service">The service id.</param>
/// <param name="MinThreads">Configured minimum worker threads.</param>
/// <param name="MaxThreads">Configured maximum worker threads.</param>
/// <param name="MaxConnections">Configured service-wide connection cap.</param>
/// <param name="Threads">Worker threads that exist now.</param>
/// <param name="Busy">Worker threads running the service's code now.</param>
/// <param name="Queue">Work items waiting for a worker thread.</param>
/// <param name="Connections">Open connections.</param>
/// <param name="Refusals">Connections refused so far, by reason (<c>Denied</c>, <c>Busy</c>, <c>RateLimited</c>, ...).</param>
/// <param name="ProxyFailures">Connections closed for a missing or malformed PROXY header.</param>
public sealed record ServiceSnapshot(
    string Service,
    int MinThreads,
    int MaxThreads,
    int MaxConnections,
    int Threads,
    int Busy,
    int Queue,
    int Connections,
    IReadOnlyDictionary<string, long> Refusals,
    long ProxyFailures)
{
    /// <summary>All refusals, every reason.</summary>
    public long TotalRefusals => Refusals.Values.Sum();
}
