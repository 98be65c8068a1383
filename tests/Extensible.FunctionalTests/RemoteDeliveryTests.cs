using System.Text.Json.Nodes;
using Extensible.Testing;
using MimeKit;

namespace Extensible.FunctionalTests;

public sealed class RemoteDeliveryTests
{
    private static async Task<(TestServer Sender, TestServer Remote)> StartPairAsync(CancellationToken ct)
    {
        var remote = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "Pop3"],
            Configure = config => MailTestKit.FastQueue(config),
        }, ct);
        MailTestKit.RememberPorts(remote);
        await remote.AddUserAsync("far@remote.test", MailTestKit.Password, ct);
        var port = remote.Port("smtp-receiving", "mx");
        var sender = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "SmtpSending", "Pop3"],
            Configure = config =>
            {
                MailTestKit.FastQueue(config);
                TestServer.ServiceOptions(config, "smtp-sending")["SmartHosts"] = new JsonObject
                {
                    ["remote.test"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = port, ["Tls"] = "None" },
                };
            },
        }, ct);
        MailTestKit.RememberPorts(sender);
        await sender.AddUserAsync("alice@example.test", MailTestKit.Password, ct);
        return (sender, remote);
    }

    [Fact]
    public async Task A_message_for_another_domain_goes_through_SMTP_Sending_into_the_remote_servers_INBOX()
    {
        var ct = TestContext.Current.CancellationToken;
        var (sender, remote) = await StartPairAsync(ct);
        await using var _ = sender;
        await using var __ = remote;

        var message = MailTestKit.NewMessage("alice@example.test", "far@remote.test", "across");
        await MailTestKit.SendAsync(sender, message, ct);

        var inbox = await MailTestKit.WaitForInboxAsync(remote, "far@remote.test", m => m.Count > 0, TimeSpan.FromSeconds(60), ct);
        Assert.Equal(message.MessageId, Assert.Single(inbox).MessageId);
    }

    [Fact]
    public async Task A_recipient_the_remote_refuses_bounces_to_the_sender_as_an_RFC_3464_report()
    {
        var ct = TestContext.Current.CancellationToken;
        var (sender, remote) = await StartPairAsync(ct);
        await using var _ = sender;
        await using var __ = remote;

        await MailTestKit.SendAsync(sender, MailTestKit.NewMessage("alice@example.test", "nobody@remote.test", "refused"), ct);

        var inbox = await MailTestKit.WaitForInboxAsync(sender, "alice@example.test", m => m.Count > 0, TimeSpan.FromSeconds(60), ct);
        var report = Assert.IsType<MultipartReport>(Assert.Single(inbox).Body);
        var group = report.OfType<MessageDeliveryStatus>().Single().StatusGroups[1];
        Assert.Equal("failed", group["Action"]);
        Assert.Equal("rfc822; nobody@remote.test", group["Final-Recipient"]);
        Assert.StartsWith("5.", group["Status"], StringComparison.Ordinal);
    }
}
