using Extensible.Testing;

namespace Extensible.Storage.Tests;

public sealed class EndToEndTests
{
    [Fact]
    public async Task Admin_commands_work_while_the_server_runs_and_survive_a_kill()
    {
        var token = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(new TestServerOptions { Plugins = ["Storage", "Pop3"] }, token);
        await server.AddUserAsync("e2e@example.test", "secret", token);
        var duplicate = await server.AdminAsync(["user", "add", "e2e@example.test"], cancellationToken: token);
        Assert.Equal(1, duplicate.ExitCode);
        var invalid = await server.AdminAsync(["user", "add", "bad address@example.test"], cancellationToken: token);
        Assert.Equal(1, invalid.ExitCode);
        var idn = await server.AdminAsync(["domain", "add", "bücher.example"], cancellationToken: token);
        Assert.Equal(0, idn.ExitCode);
        Assert.Contains("xn--bcher-kva.example", (await server.AdminAsync(["domain", "list"], cancellationToken: token)).Output, StringComparison.Ordinal);

        await server.KillAsync();
        await server.RestartAsync(token);
        var show = await server.AdminAsync(["user", "show", "e2e@example.test"], cancellationToken: token);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("password: set", show.Output, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(server.DataDirectory, "store.db", SearchOption.AllDirectories));
        Assert.DoesNotContain(server.Logs, l => l.Contains("secret", StringComparison.Ordinal) || l.Contains("argon2id", StringComparison.OrdinalIgnoreCase));
    }
}
