using Extensible.Testing;

namespace Extensible.Imap.Tests;

/// <summary>RFC 9051 5.4 inactivity autologout, before login and after, on a server with short timers.</summary>
public sealed class AutoLogoutTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SilentSessionsAreLoggedOutWithBye()
    {
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Imap"],
            Configure = config =>
            {
                var options = TestServer.ServiceOptions(config, "imap");
                options["PlainConnAllowLogin"] = true;
                options["LoginTimeout"] = 1;
                options["AutoLogout"] = 2;
            },
        }, Ct);
        var port = server.Port("imap", "imap");
        await server.AddUserAsync("idle@example.test", "secret", Ct);

        await using var anonymous = await RawImapClient.ConnectAsync(port);
        Assert.StartsWith("* OK", await anonymous.ReadLineAsync());
        Assert.Equal("* BYE Autologout; idle for too long", await anonymous.ReadLineAsync(timeoutMs: 30_000));
        Assert.Null(await anonymous.ReadLineAsync(timeoutMs: 30_000));

        await using var user = await RawImapClient.ConnectAsync(port);
        await user.ReadLineAsync();
        Assert.StartsWith("l OK", (await user.CommandAsync("l", "LOGIN idle@example.test secret"))[^1]);
        Assert.StartsWith("s OK", (await user.CommandAsync("s", "SELECT INBOX"))[^1]);
        Assert.Equal("* BYE Autologout; idle for too long", await user.ReadLineAsync(timeoutMs: 30_000));
        Assert.Null(await user.ReadLineAsync(timeoutMs: 30_000));
    }
}
