using Extensible.Processing.Admin;
using Extensible.Processing.Tests.Support;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Storage;

namespace Extensible.Processing.Tests;

public sealed class QueueAdminCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static async Task<(int Code, string Output, string Error)> RunAsync(IAdminCommand command, params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await command.RunAsync(new AdminCommandContext(arguments, TextReader.Null, output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<EngineHarness> StartDeferringAsync()
    {
        var options = EngineHarness.FastOptions();
        options.SchedInterval = 3600;
        options.MaxSchedInterval = 3600;
        return await EngineHarness.StartAsync(options, h => h.Store.Refuse["alice@example.test"] = LocalDeliveryStatus.TemporaryFailure);
    }

    [Fact]
    public async Task List_show_retry_and_flush_act_on_the_running_engine()
    {
        await using var harness = await StartDeferringAsync();
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("admin"));
        await Wait.UntilAsync(() => harness.Engine.Database.List().Any(m => m.Attempts == 1), Deadline, "the deferral");

        var list = await RunAsync(new QueueListCommand(harness.Context));
        Assert.Equal(0, list.Code);
        Assert.Contains(result.QueueId!, list.Output, StringComparison.Ordinal);
        Assert.Contains("alice@example.test", list.Output, StringComparison.Ordinal);

        var show = await RunAsync(new QueueShowCommand(harness.Context), result.QueueId!);
        Assert.Equal(0, show.Code);
        Assert.Contains("Attempts: 1", show.Output, StringComparison.Ordinal);
        Assert.Contains("<alice@example.test> pending", show.Output, StringComparison.Ordinal);

        harness.Store.Refuse.Clear();
        var retry = await RunAsync(new QueueRetryCommand(harness.Context), result.QueueId!);
        Assert.Equal(0, retry.Code);
        await harness.WaitForEmptyQueueAsync();
        Assert.Single(harness.Store.For("alice@example.test"));

        harness.Store.Refuse["alice@example.test"] = LocalDeliveryStatus.TemporaryFailure;
        await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("flushed"));
        await Wait.UntilAsync(() => harness.Engine.Database.List().Any(m => m.Attempts == 1), Deadline, "the second deferral");
        harness.Store.Refuse.Clear();
        var flush = await RunAsync(new QueueFlushCommand(harness.Context));
        Assert.Equal(0, flush.Code);
        Assert.Contains("1 message(s)", flush.Output, StringComparison.Ordinal);
        await harness.WaitForEmptyQueueAsync();
    }

    [Fact]
    public async Task Delete_removes_a_message_without_a_report()
    {
        await using var harness = await StartDeferringAsync();
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("delete me"));
        await Wait.UntilAsync(() => harness.Engine.Database.List().Any(m => m.Attempts == 1), Deadline, "the deferral");

        var delete = await RunAsync(new QueueDeleteCommand(harness.Context), result.QueueId!);
        Assert.Equal(0, delete.Code);
        Assert.Equal(0, harness.Engine.Database.Count());
        Assert.Empty(harness.Store.For("sender@example.test"));

        var again = await RunAsync(new QueueDeleteCommand(harness.Context), result.QueueId!);
        Assert.Equal(1, again.Code);
        var bad = await RunAsync(new QueueShowCommand(harness.Context), "not-an-id");
        Assert.Equal(2, bad.Code);
    }
}
