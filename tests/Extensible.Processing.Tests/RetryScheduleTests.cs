using Extensible.Processing.Queue;

namespace Extensible.Processing.Tests;

public sealed class RetryScheduleTests
{
    [Theory]
    [InlineData(1, 300)]
    [InlineData(2, 600)]
    [InlineData(3, 1200)]
    [InlineData(6, 9600)]
    [InlineData(7, 19200)]
    [InlineData(8, 28800)]
    [InlineData(20, 28800)]
    [InlineData(1000, 28800)]
    public void Delay_doubles_from_schedInterval_up_to_maxSchedInterval(int attempt, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetrySchedule.Delay(attempt, 300, 28_800));

    [Fact]
    public void Defaults_are_AXIGENs()
    {
        var options = new ProcessingOptions();
        Assert.Equal((300d, 28_800d, 20), (options.SchedInterval, options.MaxSchedInterval, options.MaxRetryCount));
    }
}
