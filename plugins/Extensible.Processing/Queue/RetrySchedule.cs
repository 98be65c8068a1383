namespace Extensible.Processing.Queue;

/// <summary>AXIGEN's rescheduling rule: delay = min(schedInterval · 2^(n−1), maxSchedInterval).</summary>
public static class RetrySchedule
{
    /// <summary>The delay after the <paramref name="attempt"/>-th failed attempt (1-based).</summary>
    public static TimeSpan Delay(int attempt, double schedInterval, double maxSchedInterval)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 62);
        var seconds = Math.Min(schedInterval * Math.Pow(2, exponent), maxSchedInterval);
        return TimeSpan.FromSeconds(Math.Max(seconds, 0));
    }
}
