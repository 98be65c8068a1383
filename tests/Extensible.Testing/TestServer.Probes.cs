using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Extensible.Testing;

/// <summary>What tests read from a running server from outside: memory, open connections, crash lines in its log.</summary>
public sealed partial class TestServer
{
    /// <summary>The server process's resident set size, in KiB (from /proc).</summary>
    public long RssKilobytes()
    {
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("no VmRSS line");
    }

    /// <summary>Open connections of a service as the host last wrote them to run/stats.json; -1 when unreadable.</summary>
    public int OpenConnections(string serviceId)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(DataDirectory, "run", "stats.json")));
            return document.RootElement.GetProperty("services").GetProperty(serviceId).GetProperty("connections").GetInt32();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>Waits until a service has no open connection.</summary>
    public Task WaitForNoConnectionsAsync(string serviceId, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntilAsync(() => OpenConnections(serviceId) == 0, timeout, $"every {serviceId} connection to be closed", cancellationToken);

    /// <summary>True for a log line that reports a crash: an error or fatal event, or a handler failing outside its protocol.</summary>
    public static bool IsCrashLine(string line) =>
        line.Contains("[ERR]", StringComparison.Ordinal) || line.Contains("[FTL]", StringComparison.Ordinal)
        || line.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)
        || line.Contains("failed outside the protocol", StringComparison.Ordinal) || line.Contains("Handler of ", StringComparison.Ordinal);

    /// <summary>Polls <paramref name="condition"/> every 100 ms; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException($"waited {timeout} for {what}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
