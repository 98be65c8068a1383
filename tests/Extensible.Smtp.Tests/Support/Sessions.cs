namespace Extensible.Smtp.Tests.Support;

/// <summary>Shortcuts for transcript tests.</summary>
internal static class Sessions
{
    public static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>Connects, reads the greeting and says EHLO.</summary>
    public static async Task<RawSmtpClient> OpenAsync(LoopbackSmtpServer server, bool ehlo = true)
    {
        var client = await RawSmtpClient.ConnectAsync(server.Port, Token);
        Assert.StartsWith("220 ", await client.ReadReplyAsync(Token));
        if (ehlo)
        {
            Assert.StartsWith("250", await client.CommandAsync("EHLO client.test", Token));
        }

        return client;
    }

    /// <summary>Runs MAIL, RCPT and DATA up to the 354.</summary>
    public static async Task BeginDataAsync(RawSmtpClient client, string from = "s@remote.test", string to = "a@example.test")
    {
        Assert.StartsWith("250 2.1.0", await client.CommandAsync($"MAIL FROM:<{from}>", Token));
        Assert.StartsWith("250 2.1.5", await client.CommandAsync($"RCPT TO:<{to}>", Token));
        Assert.StartsWith("354 ", await client.CommandAsync("DATA", Token));
    }
}
