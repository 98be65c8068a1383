using System.Text;
using Extensible.Processing.Queue;
using Extensible.Processing.Tests.Support;
using Extensible.Sdk.Messages;
using MimeKit;

namespace Extensible.Processing.Tests;

public sealed class QueueDeliveryTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_local_message_is_delivered_once_for_all_local_recipients_and_leaves_the_queue()
    {
        await using var harness = await EngineHarness.StartAsync();
        var content = EngineHarness.Message("local");
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test", "bob@example.test"), content);

        Assert.True(result.Taken);
        await harness.WaitForEmptyQueueAsync();
        Assert.Equal(1, harness.Store.Calls);
        Assert.Equal(content, Assert.Single(harness.Store.For("alice@example.test")));
        Assert.Equal(content, Assert.Single(harness.Store.For("bob@example.test")));
    }

    [Fact]
    public async Task A_queue_id_means_the_record_and_content_are_committed()
    {
        // No store runs, so the message must stay queued; a separate connection sees it as soon as SubmitAsync returns.
        await using var harness = await EngineHarness.StartAsync(setup: h => h.Store.Refuse["alice@example.test"] = Sdk.Storage.LocalDeliveryStatus.TemporaryFailure);
        var content = EngineHarness.Message("durable");
        var result = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), content);

        Assert.True(QueueIds.TryParse(result.QueueId!, out var id));
        var other = new QueueDatabase(harness.Engine.Database.QueueDirectory);
        var record = other.Load(id);
        Assert.NotNull(record);
        Assert.Equal("alice@example.test", Assert.Single(record.Recipients).Address);
        await using var stored = other.OpenContent(id)!;
        using var copy = new MemoryStream();
        await stored.CopyToAsync(copy, TestContext.Current.CancellationToken);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task Temporary_failures_retry_up_to_maxRetryCount_then_a_DSN_goes_to_the_sender()
    {
        await using var harness = await EngineHarness.StartAsync();
        var envelope = EngineHarness.Envelope("sender@example.test", "far@remote.test") with { DsnEnvelopeId = "env-42" };
        var result = await harness.SubmitAsync(envelope, EngineHarness.Message("bounce me"));

        await Wait.UntilAsync(() => harness.Store.For("sender@example.test").Any(), Deadline, "the DSN");
        Assert.Equal(3, harness.Remote.Attempts.Count(a => a.QueueId == result.QueueId));
        var dsn = await MimeMessage.LoadAsync(new MemoryStream(harness.Store.For("sender@example.test").Single()), TestContext.Current.CancellationToken);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = Assert.Single(report.OfType<MessageDeliveryStatus>());
        Assert.Equal("env-42", status.StatusGroups[0]["Original-Envelope-Id"]);
        var group = status.StatusGroups[1];
        Assert.Equal("rfc822; far@remote.test", group["Final-Recipient"]);
        Assert.Equal("failed", group["Action"]);
        Assert.StartsWith("4.", group["Status"], StringComparison.Ordinal);
        Assert.Equal("dns; mx.remote.test", group["Remote-MTA"]);
        Assert.Contains("bounce me", Assert.Single(report.OfType<MessagePart>()).Message?.Subject, StringComparison.Ordinal);
        await harness.WaitForEmptyQueueAsync();
    }

    [Fact]
    public async Task A_permanent_failure_bounces_at_once_and_honours_RET_HDRS_and_ORCPT()
    {
        await using var harness = await EngineHarness.StartAsync();
        harness.Remote.Answers["remote.test"] = RemoteDeliveryStatus.PermanentFailure;
        var envelope = EngineHarness.Envelope("sender@example.test") with
        {
            Recipients = [new EnvelopeRecipient("gone@remote.test", ["FAILURE"], "rfc822;orig@remote.test")],
            DsnReturn = "HDRS",
        };
        await harness.SubmitAsync(envelope, EngineHarness.Message("hdrs only"));

        await Wait.UntilAsync(() => harness.Store.For("sender@example.test").Any(), Deadline, "the DSN");
        Assert.Single(harness.Remote.Attempts);
        var dsn = await MimeMessage.LoadAsync(new MemoryStream(harness.Store.For("sender@example.test").Single()), TestContext.Current.CancellationToken);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        var group = report.OfType<MessageDeliveryStatus>().Single().StatusGroups[1];
        Assert.Equal("rfc822; orig@remote.test", group["Original-Recipient"]);
        Assert.Equal("5.1.1", group["Status"]);
        Assert.Single(report.OfType<TextRfc822Headers>());
        Assert.DoesNotContain("Hello hdrs only", Encoding.ASCII.GetString(harness.Store.For("sender@example.test").Single()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("sender@example.test", "NEVER")]
    public async Task No_DSN_goes_to_the_null_sender_or_when_NOTIFY_says_NEVER(string from, string? notify)
    {
        await using var harness = await EngineHarness.StartAsync();
        harness.Remote.Answers["remote.test"] = RemoteDeliveryStatus.PermanentFailure;
        var envelope = EngineHarness.Envelope(from) with
        {
            Recipients = [new EnvelopeRecipient("gone@remote.test", notify is null ? null : [notify])],
        };
        await harness.SubmitAsync(envelope, EngineHarness.Message("no report"));
        // A control message after it: once it is delivered, the first one's DSN would have been queued and delivered too.
        await harness.SubmitAsync(EngineHarness.Envelope("x@remote.test", "bob@example.test"), EngineHarness.Message("control"));
        await Wait.UntilAsync(() => harness.Store.For("bob@example.test").Any(), Deadline, "the control message");
        await harness.WaitForEmptyQueueAsync();

        Assert.Single(harness.Remote.Attempts);
        Assert.Empty(harness.Store.For("sender@example.test"));
        Assert.DoesNotContain(harness.Store.Delivered, d => d.Account != "bob@example.test");
    }

    [Fact]
    public async Task A_DSN_that_cannot_be_delivered_is_not_bounced_again()
    {
        await using var harness = await EngineHarness.StartAsync();
        harness.Remote.Answers["remote.test"] = RemoteDeliveryStatus.PermanentFailure;
        await harness.SubmitAsync(EngineHarness.Envelope("sender@remote.test", "gone@remote.test"), EngineHarness.Message("double bounce"));

        // The DSN to sender@remote.test fails too; it must not produce a third message.
        await Wait.UntilAsync(() => harness.Remote.Attempts.Count >= 2, Deadline, "the DSN's attempt");
        await harness.WaitForEmptyQueueAsync();
        Assert.Equal(2, harness.Remote.Attempts.Count);
    }

    [Fact]
    public async Task Success_for_a_domain_schedules_its_other_deferred_messages_at_once()
    {
        var options = EngineHarness.FastOptions();
        options.SchedInterval = 3600;
        options.MaxSchedInterval = 3600;
        await using var harness = await EngineHarness.StartAsync(options);
        var first = await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "a@remote.test"), EngineHarness.Message("first"));
        await Wait.UntilAsync(() => harness.Engine.Database.List().Any(m => m.QueueId == first.QueueId && m.Attempts == 1), Deadline, "the first deferral");

        harness.Remote.Answers["remote.test"] = RemoteDeliveryStatus.Delivered;
        await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "b@remote.test"), EngineHarness.Message("second"));

        await harness.WaitForEmptyQueueAsync();
        Assert.Equal(2, harness.Remote.Attempts.Count(a => a.QueueId == first.QueueId));
    }

    [Fact]
    public async Task Forwarders_expand_to_local_and_remote_targets_and_loops_bounce()
    {
        await using var harness = await EngineHarness.StartAsync(setup: h => h.Directory
            .WithForward("team@example.test", "alice@example.test", "out@remote.test")
            .WithForward("ping@example.test", "pong@example.test")
            .WithForward("pong@example.test", "ping@example.test"));
        harness.Remote.Answers["remote.test"] = RemoteDeliveryStatus.Delivered;
        await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "team@example.test", "ping@example.test"), EngineHarness.Message("fwd"));

        await Wait.UntilAsync(() => harness.Store.For("sender@example.test").Any(), Deadline, "the loop DSN");
        await harness.WaitForEmptyQueueAsync();
        Assert.Single(harness.Store.For("alice@example.test"));
        Assert.Equal(["out@remote.test"], Assert.Single(harness.Remote.Attempts, a => a.Domain == "remote.test").Recipients);
        var dsn = Encoding.ASCII.GetString(harness.Store.For("sender@example.test").Single());
        Assert.Contains("5.4.6", dsn, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_local_user_bounces_with_5_1_1()
    {
        await using var harness = await EngineHarness.StartAsync();
        await harness.SubmitAsync(EngineHarness.Envelope("sender@example.test", "nobody@example.test", "alice@example.test"), EngineHarness.Message("unknown"));

        await Wait.UntilAsync(() => harness.Store.For("sender@example.test").Any(), Deadline, "the DSN");
        Assert.Contains("Status: 5.1.1", Encoding.ASCII.GetString(harness.Store.For("sender@example.test").Single()), StringComparison.Ordinal);
        Assert.Single(harness.Store.For("alice@example.test"));
    }

    [Fact]
    public async Task A_restarted_engine_delivers_what_the_previous_one_left_queued()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ext-proc-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = EngineHarness.FastOptions();
            options.SchedInterval = 3600;
            await using (var first = await EngineHarness.StartAsync(options, h => h.Store.Refuse["alice@example.test"] = Sdk.Storage.LocalDeliveryStatus.TemporaryFailure, dataDirectory))
            {
                await first.SubmitAsync(EngineHarness.Envelope("sender@example.test", "alice@example.test"), EngineHarness.Message("survivor"));
                await Wait.UntilAsync(() => first.Engine.Database.List().Any(m => m.Attempts == 1), Deadline, "a deferral");
            }
            await using var harness = await EngineHarness.StartAsync(dataDirectory: dataDirectory);
            Assert.Equal(1, harness.Engine.Database.FlushAll());
            await harness.WaitForEmptyQueueAsync();
            Assert.Single(harness.Store.For("alice@example.test"));
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
