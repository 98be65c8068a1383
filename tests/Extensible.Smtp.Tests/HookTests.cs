using Extensible.Sdk.Messages;
using Extensible.Smtp.Tests.Support;
using static Extensible.Smtp.Tests.Support.Sessions;

namespace Extensible.Smtp.Tests;

public sealed class HookTests
{
    private sealed class RefusingHook : ISmtpHook
    {
        public List<string> Seen { get; } = [];

        public ValueTask<SmtpHookResult> OnHeloAsync(SmtpSessionInfo session, CancellationToken cancellationToken)
        {
            Seen.Add("helo " + session.HeloName);
            return ValueTask.FromResult(SmtpHookResult.Continue);
        }

        public ValueTask<SmtpHookResult> OnMailFromAsync(SmtpSessionInfo session, string reversePath, CancellationToken cancellationToken)
        {
            Seen.Add("mail " + reversePath);
            return ValueTask.FromResult(SmtpHookResult.Continue);
        }

        public ValueTask<SmtpHookResult> OnRcptToAsync(SmtpSessionInfo session, string forwardPath, CancellationToken cancellationToken)
        {
            Seen.Add("rcpt " + forwardPath + " from " + session.MailFrom);
            return ValueTask.FromResult(forwardPath.StartsWith("b@", StringComparison.Ordinal)
                ? new SmtpHookResult(550, "5.7.1", "Blocked by policy")
                : SmtpHookResult.Continue);
        }
    }

    [Fact]
    public async Task HooksSeeTheSessionAndTheirRefusalsAreTheReplies()
    {
        await using var server = LoopbackSmtpServer.Start();
        var hook = new RefusingHook();
        server.Hooks.Add(hook);
        await using var client = await OpenAsync(server);
        Assert.StartsWith("250", await client.CommandAsync("MAIL FROM:<s@remote.test>", Token));
        Assert.StartsWith("250", await client.CommandAsync("RCPT TO:<a@example.test>", Token));
        Assert.Equal("550 5.7.1 Blocked by policy", await client.CommandAsync("RCPT TO:<b@example.test>", Token));
        Assert.Equal(["helo client.test", "mail s@remote.test", "rcpt a@example.test from s@remote.test", "rcpt b@example.test from s@remote.test"], hook.Seen);
    }
}
