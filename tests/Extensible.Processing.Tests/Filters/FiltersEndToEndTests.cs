using System.Text.Json.Nodes;
using Extensible.Testing;
using Extensible.Testing.Dns;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Extensible.Processing.Tests.Filters;

/// <summary>The built-in filters inside the real server: DNS through the host's DNR to a loopback DNS server.</summary>
public sealed class FiltersEndToEndTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RecordsSpfAndDkimResultsInDeliveredMail()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddTxt("sender.test", "v=spf1 ip4:127.0.0.1 -all");
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "Pop3"],
            Configure = config =>
            {
                dns.Configure(config);
                TestServer.ServiceOptions(config, "processing")["Filters"] = new JsonObject
                {
                    ["Spf"] = new JsonObject { ["Enabled"] = true },
                    ["DkimVerify"] = new JsonObject { ["Enabled"] = true },
                };
            },
        }, Token);
        var mxPort = server.Port("smtp-receiving", "mx");
        var popPort = server.Port("pop3", "pop3");
        await server.AddUserAsync("bob@example.test", "secret", Token);

        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", mxPort, SecureSocketOptions.None, Token);
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse("alice@sender.test"));
            message.To.Add(MailboxAddress.Parse("bob@example.test"));
            message.Subject = "checked";
            message.Body = new TextPart("plain") { Text = "hello" };
            await client.SendAsync(message, Token);
            await client.DisconnectAsync(true, Token);
        }

        var delivered = await WaitForMessageAsync(server, popPort);

        Assert.StartsWith("pass ", delivered.Headers[HeaderId.ReceivedSPF], StringComparison.Ordinal);
        var results = delivered.Headers[HeaderId.AuthenticationResults];
        Assert.Contains("spf=pass smtp.mailfrom=alice@sender.test", results, StringComparison.Ordinal);
        Assert.Contains("dkim=none", results, StringComparison.Ordinal);
        Assert.True(dns.QueryCount("sender.test", ARSoft.Tools.Net.Dns.RecordType.Txt) >= 1);
    }

    [Fact]
    public async Task RefusesAListedClientAtConnect()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddAddress("1.0.0.127.bl.test", "127.0.0.2");
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving"],
            Configure = config =>
            {
                dns.Configure(config);
                TestServer.ServiceOptions(config, "processing")["Filters"] = new JsonObject
                {
                    ["Dnsbl"] = new JsonObject { ["Enabled"] = true, ["Zones"] = new JsonArray("bl.test") },
                };
            },
        }, Token);

        using var client = new SmtpClient();
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () =>
            await client.ConnectAsync("127.0.0.1", server.Port("smtp-receiving", "mx"), SecureSocketOptions.None, Token));

        Assert.Contains("554", refused.Message + (refused as SmtpCommandException)?.StatusCode.ToString("D"), StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task RefusesAVirusAtDataAndNeverLosesMailWhenTheScannerIsDown()
    {
        await using var clamd = new Support.LoopbackClamd();
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "Pop3"],
            Configure = config => TestServer.ServiceOptions(config, "processing")["Filters"] = new JsonObject
            {
                ["Clamd"] = new JsonObject { ["Enabled"] = true, ["Address"] = clamd.Address, ["TimeoutSeconds"] = 5 },
            },
        }, Token);
        var mxPort = server.Port("smtp-receiving", "mx");
        var popPort = server.Port("pop3", "pop3");
        await server.AddUserAsync("bob@example.test", "secret", Token);

        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", mxPort, SecureSocketOptions.None, Token);
        var infected = await Assert.ThrowsAsync<SmtpCommandException>(async () => await client.SendAsync(Message("infected", Support.LoopbackClamd.Eicar), Token));
        Assert.Equal(554, (int)infected.StatusCode);
        Assert.Contains("Eicar-Test-Signature", infected.Message, StringComparison.Ordinal);

        // With the scanner gone the filter fails; the chain's default policy passes over it and the message is kept.
        await clamd.DisposeAsync();
        await client.SendAsync(Message("while clamd is down", "hello"), Token);
        await client.DisconnectAsync(true, Token);

        var delivered = await WaitForMessageAsync(server, popPort);
        Assert.Equal("while clamd is down", delivered.Subject);
        Assert.DoesNotContain(delivered.Headers, h => h.Field == "X-Virus-Status");
    }

    private static MimeMessage Message(string subject, string body)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("alice@sender.test"));
        message.To.Add(MailboxAddress.Parse("bob@example.test"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    private static async Task<MimeMessage> WaitForMessageAsync(TestServer server, int port)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        for (var attempt = 0; attempt < 300; attempt++)
        {
            using var pop = new Pop3Client();
            await pop.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None, deadline.Token);
            await pop.AuthenticateAsync("bob@example.test", "secret", deadline.Token);
            if (pop.Count > 0)
            {
                return await pop.GetMessageAsync(0, deadline.Token);
            }

            await pop.DisconnectAsync(true, deadline.Token);
            await Task.Delay(200, deadline.Token);
        }

        throw new TimeoutException($"no message arrived\n{server.LogTail()}");
    }
}
