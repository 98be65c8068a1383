using Extensible.Testing;

namespace Extensible.FunctionalTests;

public sealed class LocalDeliveryTests
{
    [Fact]
    public async Task A_message_sent_by_SMTP_to_a_local_user_is_in_that_users_INBOX()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "Pop3"],
            Configure = config => MailTestKit.FastQueue(config),
        }, ct);
        MailTestKit.RememberPorts(server);
        await server.AddUserAsync("alice@example.test", MailTestKit.Password, ct);
        await server.AddUserAsync("bob@example.test", MailTestKit.Password, ct);

        var message = MailTestKit.NewMessage("someone@client.test", "alice@example.test", "end to end");
        message.Cc.Add(MimeKit.MailboxAddress.Parse("bob@example.test"));
        await MailTestKit.SendAsync(server, message, ct);

        foreach (var user in new[] { "alice@example.test", "bob@example.test" })
        {
            var inbox = await MailTestKit.WaitForInboxAsync(server, user, m => m.Count > 0, TimeSpan.FromSeconds(30), ct);
            var received = Assert.Single(inbox);
            Assert.Equal(message.MessageId, received.MessageId);
            Assert.Equal("end to end", received.Subject);
        }
        Assert.Empty(await MailTestKit.QueueIdsAsync(server, ct));
    }

    [Fact]
    public async Task Queue_commands_list_show_retry_and_delete_a_deferred_message_while_the_server_runs()
    {
        var ct = TestContext.Current.CancellationToken;
        // No SMTP Sending plugin: a remote recipient stays deferred, with an hour before its next attempt.
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving"],
            Configure = config => MailTestKit.FastQueue(config, schedInterval: 3600, maxRetryCount: 10),
        }, ct);
        MailTestKit.RememberPorts(server);
        await server.AddUserAsync("alice@example.test", MailTestKit.Password, ct);
        await MailTestKit.SendAsync(server, MailTestKit.NewMessage("alice@example.test", "far@elsewhere.test", "stuck"), ct);

        string id = "";
        await WaitAsync(async () => (await MailTestKit.QueueIdsAsync(server, ct)) is [var only] && (id = only).Length > 0, ct);
        await WaitAsync(async () => (await server.AdminAsync(["queue", "show", id], cancellationToken: ct)).Output.Contains("Attempts: 1", StringComparison.Ordinal), ct);
        var show = (await server.AdminAsync(["queue", "show", id], cancellationToken: ct)).EnsureSuccess();
        Assert.Contains("<far@elsewhere.test> pending", show.Output, StringComparison.Ordinal);
        Assert.Contains("no remote delivery service", show.Output, StringComparison.Ordinal);

        (await server.AdminAsync(["queue", "retry", id], cancellationToken: ct)).EnsureSuccess();
        await WaitAsync(async () => (await server.AdminAsync(["queue", "show", id], cancellationToken: ct)).Output.Contains("Attempts: 2", StringComparison.Ordinal), ct);

        (await server.AdminAsync(["queue", "flush"], cancellationToken: ct)).EnsureSuccess();
        await WaitAsync(async () => (await server.AdminAsync(["queue", "show", id], cancellationToken: ct)).Output.Contains("Attempts: 3", StringComparison.Ordinal), ct);

        (await server.AdminAsync(["queue", "delete", id], cancellationToken: ct)).EnsureSuccess();
        Assert.Empty(await MailTestKit.QueueIdsAsync(server, ct));
        Assert.Equal(1, (await server.AdminAsync(["queue", "show", id], cancellationToken: ct)).ExitCode);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met within 60 s");
            }
            await Task.Delay(200, cancellationToken);
        }
    }
}
