using System.Text;
using Extensible.Processing.Queue;
using Extensible.Processing.Tests.Support;
using Extensible.Sdk.Messages;

namespace Extensible.Processing.Tests;

public sealed class FilterChainTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Filters_run_by_order_and_their_header_edits_reach_the_delivered_copy()
    {
        var seen = new List<string>();
        await using var harness = await EngineHarness.StartAsync(setup: h =>
        {
            h.Context.Add<IMessageFilter>(new DelegateFilter("second", 200, async (m, next) =>
            {
                seen.Add("second");
                m.RemoveHeader("X-Remove-Me");
                return await next(m);
            }));
            h.Context.Add<IMessageFilter>(new DelegateFilter("first", 100, async (m, next) =>
            {
                seen.Add("first");
                var mime = await m.GetMimeMessageAsync(m.Cancellation);
                m.PrependHeader("X-Checked", "subject=" + mime.Subject);
                return await next(m);
            }));
        });
        await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("edits", "X-Remove-Me: secret\r\n"));

        await Wait.UntilAsync(() => harness.Store.For("alice@example.test").Any(), Deadline, "the delivery");
        var delivered = Encoding.ASCII.GetString(harness.Store.For("alice@example.test").Single());
        Assert.Equal(["first", "second"], seen);
        Assert.StartsWith("X-Checked: subject=edits\r\nFrom: sender@example.test\r\n", delivered, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Remove-Me", delivered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reject_and_tempfail_queue_nothing(bool temporary)
    {
        var verdict = temporary ? FilterVerdict.TempFail(451, "4.7.1", "later") : FilterVerdict.Reject(554, "5.7.1", "spam");
        await using var harness = await EngineHarness.StartAsync(setup: h =>
            h.Context.Add<IMessageFilter>(new DelegateFilter("judge", 100, (_, _) => ValueTask.FromResult(verdict))));
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("refused"));

        Assert.False(result.Taken);
        Assert.Equal(verdict, result.Verdict);
        Assert.Equal(0, harness.Engine.Database.Count());
        Assert.Empty(Directory.GetFiles(harness.Engine.Database.TempDirectory));
    }

    [Fact]
    public async Task Discard_is_taken_but_never_delivered()
    {
        var accepted = new DelegateFilter("accept-all", 200, (m, next) => next(m));
        await using var harness = await EngineHarness.StartAsync(setup: h =>
        {
            h.Context.Add<IMessageFilter>(new DelegateFilter("bin", 100, (_, _) => ValueTask.FromResult(FilterVerdict.Discard("virus"))));
            h.Context.Add<IMessageFilter>(accepted);
        });
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("discarded"));

        Assert.True(result.Taken);
        Assert.IsType<FilterVerdict.Discarded>(result.Verdict);
        Assert.Equal(0, accepted.Calls);
        Assert.Equal(0, harness.Engine.Database.Count());
        Assert.Empty(harness.Store.Delivered);
    }

    [Fact]
    public async Task Quarantine_holds_the_message_until_an_admin_retries_it()
    {
        await using var harness = await EngineHarness.StartAsync(setup: h =>
            h.Context.Add<IMessageFilter>(new DelegateFilter("av", 100, (_, _) => ValueTask.FromResult(FilterVerdict.Quarantine("suspicious")))));
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("held"));

        Assert.True(result.Taken);
        Assert.True(QueueIds.TryParse(result.QueueId!, out var id));
        var record = harness.Engine.Database.Load(id);
        Assert.Equal(QueueState.Quarantined, record!.State);
        Assert.Contains("suspicious", record.Reason, StringComparison.Ordinal);
        // Several poll intervals pass without a delivery: the scheduler skips quarantined messages.
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Empty(harness.Store.Delivered);

        Assert.True(harness.Engine.Database.RetryNow(id));
        await harness.WaitForEmptyQueueAsync();
        Assert.Single(harness.Store.For("alice@example.test"));
    }

    [Fact]
    public async Task A_throwing_filter_is_passed_over_and_logged_by_default()
    {
        var after = new DelegateFilter("after", 200, (m, next) => next(m));
        await using var harness = await EngineHarness.StartAsync(setup: h =>
        {
            h.Context.Add<IMessageFilter>(new DelegateFilter("broken", 100, (_, _) => throw new InvalidOperationException("boom")));
            h.Context.Add<IMessageFilter>(after);
        });
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("survives"));

        Assert.True(result.Taken);
        Assert.Equal(1, after.Calls);
        await harness.WaitForEmptyQueueAsync();
        Assert.Single(harness.Store.For("alice@example.test"));
        Assert.Contains(harness.Context.LogLines, l => l.Contains("broken", StringComparison.Ordinal) && l.Contains("boom", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_filter_is_retried_then_defers_the_message_when_configured()
    {
        var options = EngineHarness.FastOptions();
        options.FilterRetries = 2;
        options.OnFilterFailure = FilterFailureAction.Defer;
        var broken = new DelegateFilter("broken", 100, (_, _) => throw new InvalidOperationException("boom"));
        await using var harness = await EngineHarness.StartAsync(options, h => h.Context.Add<IMessageFilter>(broken));
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("deferred"));

        Assert.False(result.Taken);
        var tempFail = Assert.IsType<FilterVerdict.TemporarilyFailed>(result.Verdict);
        Assert.Equal(451, tempFail.Code);
        Assert.Equal(3, broken.Calls);
        Assert.Equal(0, harness.Engine.Database.Count());
    }

    [Fact]
    public async Task A_filter_that_hangs_is_timed_out_and_passed_over()
    {
        var options = EngineHarness.FastOptions();
        options.FilterTimeout = 0.2;
        await using var harness = await EngineHarness.StartAsync(options, h =>
            h.Context.Add<IMessageFilter>(new DelegateFilter("slow", 100, async (m, next) =>
            {
                await Task.Delay(Timeout.Infinite, m.Cancellation);
                return await next(m);
            })));
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        giveUp.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await harness.Engine.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), new MemoryStream(EngineHarness.Message("slow")), giveUp.Token);

        Assert.True(result.Taken);
        await harness.WaitForEmptyQueueAsync();
        Assert.Contains(harness.Context.LogLines, l => l.Contains("timed out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_filter_that_handed_the_message_on_then_threw_does_not_run_the_rest_twice()
    {
        var after = new DelegateFilter("after", 200, (m, next) => next(m));
        await using var harness = await EngineHarness.StartAsync(setup: h =>
        {
            h.Context.Add<IMessageFilter>(new DelegateFilter("late-crash", 100, async (m, next) =>
            {
                await next(m);
                throw new InvalidOperationException("after next");
            }));
            h.Context.Add<IMessageFilter>(after);
        });
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("once"));

        Assert.True(result.Taken);
        Assert.Equal(1, after.Calls);
    }
}
