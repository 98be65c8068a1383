using System.Diagnostics;

namespace Extensible.Processing.Tests.Support;

/// <summary>Waits for a condition with a bounded deadline, polling.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.");
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
