using Extensible.Smtp.Tests.Support;
using Extensible.SmtpReceiving;
using static Extensible.Smtp.Tests.Support.Sessions;

namespace Extensible.Smtp.Tests;

public sealed class RelayTests
{
    /// <summary>Classic open-relay probes; none may be accepted for a remote destination without authentication.</summary>
    public static TheoryData<string, string> RelayTricks => new()
    {
        { "<victim@remote.test>", "554 5.7.1" },
        { "<victim%remote.test@example.test>", "550 5.1.1" },
        { "<victim%remote.test@[127.0.0.1]>", "554 5.7.1" },
        { "<@example.test:victim@remote.test>", "554 5.7.1" },
        { "<@example.test,@other.test:victim@remote.test>", "554 5.7.1" },
        { "<\"victim@remote.test\"@example.test>", "550 5.1.1" },
        { "<\"victim@remote.test\">", "501 5.1.3" },
        { "<remote.test!victim@example.test>", "550 5.1.1" },
        { "<remote.test!victim>", "501 5.1.3" },
        { "<victim>", "501 5.1.3" },
        { "<victim@remote.test.>", "554 5.7.1" },
        { "<victim@REMOTE.test>", "554 5.7.1" },
        { "<victim@example.test@remote.test>", "501 5.1.3" },
        { "<victim@[127.0.0.1]>", "554 5.7.1" },
        { "victim@remote.test", "501 5.1.3" },
        { "<victim@remote.test", "501 5.1.3" },
        { "<victim@.remote.test>", "501 5.1.3" },
        { "<victim@remote..test>", "501 5.1.3" },
    };

    [Theory]
    [MemberData(nameof(RelayTricks))]
    public async Task MxIsNoOpenRelay(string path, string expected)
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith(expected, await client.CommandAsync("RCPT TO:" + path, Token));
        Assert.StartsWith("554 5.5.1", await client.CommandAsync("DATA", Token));
    }

    [Theory]
    [InlineData("<a@EXAMPLE.TEST>")]
    [InlineData("<a@example.test.>")]
    [InlineData("<A@Example.Test>")]
    public async Task LocalDomainsMatchWithoutCaseOrTrailingDot(string path)
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:" + path, Token));
    }

    [Fact]
    public async Task UnknownLocalUserGets550()
    {
        await using var server = LoopbackSmtpServer.Start();
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("550 5.1.1 <nobody@example.test>", await client.CommandAsync("RCPT TO:<nobody@example.test>", Token));
    }

    [Fact]
    public async Task PostmasterWithoutDomainIsTheLocalPostmaster()
    {
        await using var server = LoopbackSmtpServer.Start();
        server.Users.Add("postmaster@example.test", "x");
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<>", Token));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<Postmaster>", Token));
    }

    [Fact]
    public async Task TrustedNetworksMayRelay()
    {
        await using var server = LoopbackSmtpServer.Start(new SmtpReceivingOptions { RelayNetworks = ["127.0.0.0/8"] });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@example.test>", Token));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<victim@remote.test>", Token));
    }

    [Fact]
    public async Task AuthenticatedUsersMayRelay()
    {
        await using var server = LoopbackSmtpServer.Start(listener: new SmtpListenerOptions { AllowPlainAuth = true });
        await using var client = await OpenAsync(server);
        Assert.StartsWith("235 2.7.0", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0a@example.test\0secret"u8), Token));
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<a@example.test>", Token));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync("RCPT TO:<victim@remote.test>", Token));
    }

    [Fact]
    public async Task SubmissionRequiresAuthentication()
    {
        await using var server = LoopbackSmtpServer.Start(listenerName: "submission");
        await using var client = await OpenAsync(server);
        Assert.StartsWith("530 5.7.0", await client.CommandAsync("MAIL FROM:<a@example.test>", Token));
    }
}
