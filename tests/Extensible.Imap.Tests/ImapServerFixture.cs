using Extensible.Testing;

namespace Extensible.Imap.Tests;

/// <summary>One real server (Storage + Imap) shared by a test class; each test uses its own user.</summary>
public sealed class ImapServerFixture : IAsyncLifetime
{
    private int _users;

    /// <summary>The running server.</summary>
    public TestServer Server { get; private set; } = null!;

    /// <summary>The plain IMAP port.</summary>
    public int Port { get; private set; }

    /// <summary>The implicit-TLS IMAP port.</summary>
    public int TlsPort { get; private set; }

    /// <summary>Starts the server with plain-text login allowed on plain connections.</summary>
    public async ValueTask InitializeAsync()
    {
        Server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Imap"],
            Configure = config =>
            {
                var options = TestServer.ServiceOptions(config, "imap");
                options["PlainConnAllowLogin"] = true;
                options["MaxLiteralSize"] = 30 * 1024 * 1024;
                options["MaxAppendTotal"] = 31_000_000;
                options["IdleKeepalive"] = 0;
                TestServer.Service(config, "imap")["MaxErrors"] = 50;
            },
        }, TestContext.Current.CancellationToken);

        // Read the ports once: admin commands run later may rewrite the run folder.
        Port = Server.Port("imap", "imap");
        TlsPort = Server.Port("imap", "imaps");
    }

    /// <summary>Adds a fresh user and returns its address; the password is <c>secret</c>.</summary>
    public async Task<string> NewUserAsync()
    {
        var address = $"u{Interlocked.Increment(ref _users)}x{Guid.NewGuid().ToString("n")[..6]}@{TestServer.DefaultDomain}";
        await Server.AddUserAsync(address, "secret", TestContext.Current.CancellationToken);
        return address;
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
