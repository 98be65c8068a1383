using System.Text;
using Extensible.Pop3.Tests.InMemory;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Storage;

namespace Extensible.Pop3.Tests;

/// <summary>Transcript tests of one session over in-memory pipes and an in-memory store.</summary>
public class Pop3SessionTests
{
    private const string Message1 = "Subject: one\r\n\r\nfirst\r\n";
    private const string Message2 = "Subject: two\r\n\r\nsecond\r\n";

    [Fact]
    public async Task GreetingReplacesTheAxigenPlaceholders()
    {
        var store = new InMemoryStore();
        await using var session = SessionHarness.Start(store, new Pop3Options { Greeting = "Hello %D ready %U" });
        var greeting = await session.ReadLineAsync();
        Assert.Matches(@"^\+OK Hello mail\.example\.test ready <[^<>@ ]+\.\d+@mail\.example\.test>$", greeting);
    }

    [Fact]
    public async Task PipelinedCommandsAreAnsweredInOrder()
    {
        var store = new InMemoryStore();
        var user = store.AddUser("a@example.test", "secret");
        store.Add(user, Message1);
        store.Add(user, Message2);
        await using var session = SessionHarness.Start(store);
        await session.ReadLineAsync();
        await session.SendAsync("USER a@example.test\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL 2\r\nRETR 1\r\nNOOP\r\nQUIT\r\n");
        Assert.StartsWith("+OK", await session.ReadLineAsync());
        Assert.Equal("+OK Logged in, maildrop has 2 messages (" + (Message1.Length + Message2.Length) + " octets)", await session.ReadLineAsync());
        Assert.Equal($"+OK 2 {Message1.Length + Message2.Length}", await session.ReadLineAsync());
        Assert.StartsWith("+OK", await session.ReadLineAsync());
        Assert.Equal(new[] { $"1 {Message1.Length}", $"2 {Message2.Length}" }, await session.ReadBodyAsync());
        Assert.Equal($"+OK 2 {InMemoryStore.UidValidity:x8}{2:x8}", await session.ReadLineAsync());
        Assert.Equal($"+OK {Message1.Length} octets", await session.ReadLineAsync());
        Assert.Equal(new[] { "Subject: one", "", "first" }, await session.ReadBodyAsync());
        Assert.Equal("+OK", await session.ReadLineAsync());
        Assert.Equal("+OK Bye, 0 messages deleted", await session.ReadLineAsync());
        Assert.Null(await session.ReadLineAsync());
        await session.WaitEndAsync();
    }

    [Fact]
    public async Task QuitExpungesOnlyTheMessagesMarkedByDele()
    {
        var store = new InMemoryStore();
        var user = store.AddUser("a@example.test", "secret");
        var keep = store.Add(user, Message1, StoreFlags.Deleted);
        store.Add(user, Message2);
        await using var session = SessionHarness.Start(store);
        await session.ReadLineAsync();
        await session.LoginAsync();
        var late = store.Add(user, "Subject: late\r\n\r\nafter login\r\n");
        Assert.Equal("+OK Message 2 deleted", await session.CommandAsync("DELE 2"));
        Assert.Equal("-ERR Message 2 already deleted", await session.CommandAsync("RETR 2"));
        Assert.Equal("-ERR No such message", await session.CommandAsync("DELE 3"));
        Assert.Equal($"+OK 1 {Message1.Length}", await session.CommandAsync("STAT"));
        Assert.Equal("+OK Bye, 1 messages deleted", await session.CommandAsync("QUIT"));
        await session.WaitEndAsync();
        Assert.Equal([keep, late], store.Inbox(user).Select(m => m.Uid));
    }

    [Fact]
    public async Task RsetUnmarksAndADroppedConnectionExpungesNothing()
    {
        var store = new InMemoryStore();
        var user = store.AddUser("a@example.test", "secret");
        store.Add(user, Message1);
        store.Add(user, Message2);
        await using (var session = SessionHarness.Start(store))
        {
            await session.ReadLineAsync();
            await session.LoginAsync();
            await session.CommandAsync("DELE 1");
            Assert.Equal($"+OK Maildrop has 2 messages ({Message1.Length + Message2.Length} octets)", await session.CommandAsync("RSET"));
            Assert.StartsWith("+OK", await session.CommandAsync("DELE 2"));
        }

        Assert.Equal(2, store.Inbox(user).Count);
        Assert.DoesNotContain(store.Inbox(user), m => (m.Flags & StoreFlags.Deleted) != 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RetrSetsSeenButTopDoesNot(bool deferred)
    {
        var store = new InMemoryStore();
        var user = store.AddUser("a@example.test", "secret");
        store.Add(user, Message1);
        store.Add(user, Message2);
        await using var session = SessionHarness.Start(store, new Pop3Options { PlainConnAllowLogin = true, DeferSeenUntilQuit = deferred });
        await session.ReadLineAsync();
        await session.LoginAsync();
        Assert.StartsWith("+OK", await session.CommandAsync("TOP 1 0"));
        await session.ReadBodyAsync();
        Assert.StartsWith("+OK", await session.CommandAsync("RETR 2"));
        await session.ReadBodyAsync();
        Assert.StartsWith("+OK", await session.CommandAsync("QUIT"));
        await session.WaitEndAsync();
        Assert.Equal([StoreFlags.None, StoreFlags.Seen], store.Inbox(user).Select(m => m.Flags));
    }

    [Fact]
    public async Task PlainTextLoginIsRefusedWithoutTlsUnlessConfigured()
    {
        var store = new InMemoryStore();
        store.AddUser("a@example.test", "secret");
        await using var session = SessionHarness.Start(store, new Pop3Options());
        await session.ReadLineAsync();
        Assert.StartsWith("+OK", await session.CommandAsync("CAPA"));
        var capabilities = await session.ReadBodyAsync();
        Assert.DoesNotContain("USER", capabilities);
        Assert.Contains("SASL SCRAM-SHA-256", capabilities);
        Assert.StartsWith("-ERR [AUTH]", await session.CommandAsync("USER a@example.test"));
        Assert.StartsWith("-ERR [AUTH]", await session.CommandAsync("AUTH PLAIN " + Plain("a@example.test", "secret")));
        Assert.StartsWith("-ERR Not logged in", await session.CommandAsync("STAT"));
    }

    [Fact]
    public async Task CapaListsTheRfc2449Capabilities()
    {
        var store = new InMemoryStore();
        await using var session = SessionHarness.Start(store, new Pop3Options { PlainConnAllowLogin = true, LoginDelay = 60, Expire = 30 });
        await session.ReadLineAsync();
        await session.CommandAsync("CAPA");
        var capabilities = await session.ReadBodyAsync();
        foreach (var expected in new[] { "TOP", "UIDL", "USER", "SASL SCRAM-SHA-256 PLAIN LOGIN", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE 30", "LOGIN-DELAY 60", "IMPLEMENTATION Extensible" })
        {
            Assert.Contains(expected, capabilities);
        }
    }

    [Fact]
    public async Task AuthPlainWithInitialResponseAndAuthLoginWithChallenges()
    {
        var store = new InMemoryStore();
        store.AddUser("a@example.test", "secret");
        await using (var session = SessionHarness.Start(store))
        {
            await session.ReadLineAsync();
            Assert.StartsWith("+OK Logged in", await session.CommandAsync("AUTH PLAIN " + Plain("a@example.test", "secret")));
        }

        await using (var session = SessionHarness.Start(store))
        {
            await session.ReadLineAsync();
            Assert.Equal("+ " + B64("Username:"), await session.CommandAsync("AUTH LOGIN"));
            Assert.Equal("+ " + B64("Password:"), await session.CommandAsync(B64("a@example.test")));
            Assert.StartsWith("+OK Logged in", await session.CommandAsync(B64("secret")));
            Assert.DoesNotContain(session.Connection.TranscriptLines, l => l.Contains(B64("secret"), StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task AuthCanBeCancelledAndBadBase64IsAnError()
    {
        var store = new InMemoryStore();
        store.AddUser("a@example.test", "secret");
        await using var session = SessionHarness.Start(store);
        await session.ReadLineAsync();
        Assert.Equal("+ ", await session.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Authentication cancelled", await session.CommandAsync("*"));
        Assert.Equal("-ERR Initial response is not valid base64", await session.CommandAsync("AUTH PLAIN @@@"));
        Assert.Equal("+ ", await session.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR SASL response is not valid base64", await session.CommandAsync("!!"));
        Assert.Equal("-ERR Unsupported authentication mechanism", await session.CommandAsync("AUTH CRAM-MD5"));
        Assert.StartsWith("+OK", await session.CommandAsync("AUTH PLAIN " + Plain("a@example.test", "secret")));
    }

    [Fact]
    public async Task MaxAuthErrorsClosesTheConnectionAndEachFailureIsReported()
    {
        var store = new InMemoryStore();
        store.AddUser("a@example.test", "secret");
        await using var session = SessionHarness.Start(store, limits: new ServiceLimits { MaxAuthErrors = 2, MaxErrors = 100 });
        await session.ReadLineAsync();
        await session.CommandAsync("USER a@example.test");
        Assert.Equal("-ERR [AUTH] Authentication failed", await session.CommandAsync("PASS wrong"));
        await session.CommandAsync("USER a@example.test");
        Assert.StartsWith("-ERR [AUTH] Authentication failed; too many failures", await session.CommandAsync("PASS wrong again"));
        Assert.Null(await session.ReadLineAsync());
        await session.WaitEndAsync();
        Assert.Equal(2, session.Connection.AuthenticationFailures);
        Assert.DoesNotContain(session.Connection.TranscriptLines, l => l.Contains("wrong", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadInputGetsErrorsUntilMaxErrorsCloses()
    {
        var store = new InMemoryStore();
        await using var session = SessionHarness.Start(store, limits: new ServiceLimits { MaxErrors = 4 });
        await session.ReadLineAsync();
        Assert.Equal("-ERR Line too long", await session.CommandAsync("NOOP " + new string('x', 100_000)));
        await session.SendAsync([(byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xC3, 0x28, (byte)'\r', (byte)'\n']);
        Assert.Equal("-ERR Command is not valid UTF-8", await session.ReadLineAsync());
        Assert.Equal("-ERR Unknown command", await session.CommandAsync("XYZZY"));
        Assert.StartsWith("-ERR [SYS/PERM] Not logged in; too many errors", await session.CommandAsync("RETR 1"));
        Assert.Null(await session.ReadLineAsync());
        await session.WaitEndAsync();
    }

    [Fact]
    public async Task OverlongLineWithoutEndIsDiscardedInBoundedMemory()
    {
        var store = new InMemoryStore();
        await using var session = SessionHarness.Start(store);
        await session.ReadLineAsync();
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        for (var i = 0; i < 64; i++)
        {
            await session.SendAsync(chunk);
        }

        Assert.Equal("-ERR Line too long", await session.CommandAsync(string.Empty));
        Assert.Equal("+OK Bye", await session.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task ExclusiveLockRefusesASecondSessionUntilTheFirstEnds()
    {
        var store = new InMemoryStore();
        store.AddUser("a@example.test", "secret");
        var locks = new Pop3LockTable();
        var options = new Pop3Options { PlainConnAllowLogin = true, ExclusiveLock = true };
        await using var first = SessionHarness.Start(store, options, locks: locks);
        await first.ReadLineAsync();
        await first.LoginAsync();
        await using (var second = SessionHarness.Start(store, options, locks: locks))
        {
            await second.ReadLineAsync();
            await second.CommandAsync("USER a@example.test");
            Assert.Equal("-ERR [IN-USE] Maildrop is locked by another POP3 session", await second.CommandAsync("PASS secret"));
            Assert.Equal(0, second.Connection.AuthenticationFailures);
        }

        Assert.StartsWith("+OK", await first.CommandAsync("QUIT"));
        await first.WaitEndAsync();
        await using var third = SessionHarness.Start(store, options, locks: locks);
        await third.ReadLineAsync();
        await third.LoginAsync();
    }

    [Fact]
    public async Task LoginDelayRefusesAnEarlyLogin()
    {
        var store = new InMemoryStore();
        store.AddUser("a@example.test", "secret");
        var options = new Pop3Options { PlainConnAllowLogin = true, LoginDelay = 3600 };
        var logins = new Pop3LoginHistory(TimeProvider.System);
        await using (var session = SessionHarness.Start(store, options, logins: logins))
        {
            await session.ReadLineAsync();
            await session.LoginAsync();
        }

        await using var again = SessionHarness.Start(store, options, logins: logins);
        await again.ReadLineAsync();
        await again.CommandAsync("USER a@example.test");
        Assert.StartsWith("-ERR [LOGIN-DELAY]", await again.CommandAsync("PASS secret"));
    }

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string Plain(string user, string password) => B64("\0" + user + "\0" + password);
}
