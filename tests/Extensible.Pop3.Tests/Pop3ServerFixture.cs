using System.Text.Json.Nodes;
using Extensible.Testing;

namespace Extensible.Pop3.Tests;

/// <summary>One real server (Storage + Pop3 + the test append plugin) shared by a test class; tests use their own users.</summary>
public class Pop3ServerFixture : IAsyncLifetime
{
    private int _users;

    public TestServer Server { get; private set; } = null!;

    public int PlainPort => Server.Port("pop3", "pop3");

    public int TlsPort => Server.Port("pop3", "pop3s");

    public static string AppendPluginDirectory => Path.Combine(RepoPaths.Root, "tests", "Extensible.Pop3.Tests", "AppendPlugin", "bin", "plugin");

    public static Task<TestServer> StartServerAsync(Action<JsonObject>? options = null, CancellationToken cancellationToken = default) =>
        TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Pop3"],
            ExtraPluginDirectories = [AppendPluginDirectory],
            LogLevel = "Information",
            Configure = config =>
            {
                var pop3 = TestServer.ServiceOptions(config, "pop3");
                pop3["PlainConnAllowLogin"] = true;
                options?.Invoke(pop3);
            },
        }, cancellationToken);

    public async ValueTask InitializeAsync() => Server = await StartServerAsync(cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>A new user with a password of "secret", unique within the fixture.</summary>
    public async Task<string> NewUserAsync(CancellationToken cancellationToken)
    {
        var address = $"u{Interlocked.Increment(ref _users)}@{TestServer.DefaultDomain}";
        await Server.AddUserAsync(address, "secret", cancellationToken);
        return address;
    }

    /// <summary>Appends messages (raw bytes, as given) to the user's INBOX through the store.</summary>
    public Task AppendAsync(string user, IReadOnlyList<byte[]> messages, CancellationToken cancellationToken) =>
        AppendAsync(Server, user, messages, cancellationToken);

    public static async Task AppendAsync(TestServer server, string user, IReadOnlyList<byte[]> messages, CancellationToken cancellationToken, params string[] flags)
    {
        var files = new List<string>();
        foreach (var message in messages)
        {
            var file = Path.Combine(server.Root, $"msg-{Guid.NewGuid():n}.eml");
            await File.WriteAllBytesAsync(file, message, cancellationToken);
            files.Add(file);
        }

        (await server.AdminAsync(["test", "append", user, .. files, .. flags], cancellationToken: cancellationToken)).EnsureSuccess();
    }

    /// <summary>Flags of each INBOX message, by UID ascending, as the store has them.</summary>
    public static async Task<List<string>> FlagsAsync(TestServer server, string user, CancellationToken cancellationToken)
    {
        var result = (await server.AdminAsync(["test", "flags", user], cancellationToken: cancellationToken)).EnsureSuccess();
        return [.. result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..])];
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
