using Extensible.Sdk.Admin;
using Extensible.Sdk.Users;
using Extensible.Storage.Admin;

namespace Extensible.Storage.Tests;

public sealed class AdminCommandTests
{
    private static async Task<(int Code, string Output, string Error)> RunAsync(IAdminCommand command, string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await command.RunAsync(new AdminCommandContext(args, new StringReader(stdin), output, error), TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Commands_report_duplicates_invalid_input_and_unknown_domains()
    {
        await using var scope = StoreScope.Create();
        var e = scope.Engine;
        Assert.Equal(0, (await RunAsync(new DomainAddCommand(e), "", "Example.TEST")).Code);
        var duplicate = await RunAsync(new DomainAddCommand(e), "", "example.test");
        Assert.Equal(1, duplicate.Code);
        Assert.Contains("exists", duplicate.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync(new DomainAddCommand(e), "", "bad..domain")).Code);
        Assert.Equal(2, (await RunAsync(new DomainAddCommand(e), "")).Code);

        Assert.Equal(0, (await RunAsync(new UserAddCommand(e), "s3cret\n", "a@example.test", "--password-stdin", "--quota", "10M")).Code);
        Assert.Equal(1, (await RunAsync(new UserAddCommand(e), "", "a@example.test")).Code);
        var unknown = await RunAsync(new UserAddCommand(e), "", "a@unknown.test");
        Assert.Equal(1, unknown.Code);
        Assert.Contains("domain unknown.test does not exist", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync(new UserAddCommand(e), "", "not an address")).Code);
        Assert.Equal(2, (await RunAsync(new UserAddCommand(e), "", "b@example.test", "--quota", "lots")).Code);
        Assert.Equal(2, (await RunAsync(new UserAddCommand(e), "", "b@example.test", "--bogus")).Code);

        var show = await RunAsync(new UserShowCommand(e), "", "A@example.test");
        Assert.Equal(0, show.Code);
        Assert.Contains("quota-bytes: 10485760", show.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ARGON2", show.Output, StringComparison.Ordinal);
        Assert.Contains("a@example.test", (await RunAsync(new UserListCommand(e), "")).Output, StringComparison.Ordinal);
        Assert.NotNull(await scope.Directory.AuthenticateAsync("a@example.test", "s3cret", TestContext.Current.CancellationToken));

        Assert.Equal(0, (await RunAsync(new UserPasswdCommand(e), "n3w\n", "a@example.test", "--password-stdin")).Code);
        Assert.NotNull(await scope.Directory.AuthenticateAsync("a@example.test", "n3w", TestContext.Current.CancellationToken));
        Assert.Equal(1, (await RunAsync(new DomainRemoveCommand(e), "", "example.test")).Code);
        Assert.Equal(0, (await RunAsync(new UserRemoveCommand(e), "", "a@example.test")).Code);
        Assert.Equal(1, (await RunAsync(new UserRemoveCommand(e), "", "a@example.test")).Code);
        Assert.Equal(0, (await RunAsync(new DomainRemoveCommand(e), "", "example.test")).Code);
    }

    [Fact]
    public async Task Aliases_domain_aliases_forwarders_and_catch_all_resolve()
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = StoreScope.Create();
        var e = scope.Engine;
        var user = await scope.AddUserAsync("real@example.test");
        Assert.Equal(0, (await RunAsync(new AliasAddCommand(e), "", "other@example.test", "real@example.test")).Code);
        Assert.Equal(0, (await RunAsync(new DomainAliasAddCommand(e), "", "example.org", "example.test")).Code);
        Assert.Equal(0, (await RunAsync(new ForwardAddCommand(e), "", "list@example.test", "x@remote.test")).Code);
        Assert.Equal(0, (await RunAsync(new ForwardAddCommand(e), "", "list@example.test", "real@example.test")).Code);
        Assert.Equal(1, (await RunAsync(new ForwardAddCommand(e), "", "real@example.test", "x@remote.test")).Code);

        var d = scope.Directory;
        Assert.Equal(user.Id, Assert.IsType<RecipientResolution.Local>(await d.ResolveRecipientAsync("other@example.test", token)).User.Id);
        Assert.Equal(user.Id, Assert.IsType<RecipientResolution.Local>(await d.ResolveRecipientAsync("Real@Example.ORG", token)).User.Id);
        Assert.Equal(2, Assert.IsType<RecipientResolution.Forward>(await d.ResolveRecipientAsync("list@example.org", token)).Targets.Count);
        Assert.IsType<RecipientResolution.UnknownUser>(await d.ResolveRecipientAsync("nobody@example.test", token));
        Assert.IsType<RecipientResolution.Remote>(await d.ResolveRecipientAsync("nobody@elsewhere.test", token));
        Assert.True(await d.IsLocalDomainAsync("EXAMPLE.org.", token));

        Assert.Equal(0, (await RunAsync(new DomainCatchAllSetCommand(e), "", "example.test", "real@example.test")).Code);
        Assert.Equal(user.Id, Assert.IsType<RecipientResolution.Local>(await d.ResolveRecipientAsync("nobody@example.test", token)).User.Id);
        Assert.Equal(0, (await RunAsync(new DomainCatchAllClearCommand(e), "", "example.test")).Code);
        Assert.IsType<RecipientResolution.UnknownUser>(await d.ResolveRecipientAsync("nobody@example.test", token));
        Assert.Equal(0, (await RunAsync(new ForwardRemoveCommand(e), "", "list@example.test")).Code);
        Assert.IsType<RecipientResolution.UnknownUser>(await d.ResolveRecipientAsync("list@example.test", token));
    }

    [Fact]
    public async Task A_second_engine_on_the_same_directory_sees_accounts_added_by_the_other()
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = StoreScope.Create();
        scope.Engine.EnsureOpen();
        using var cli = new StorageEngine(scope.Engine.RootDirectory, scope.Options, Serilog.Core.Logger.None);
        Assert.Null(cli.StartupReport); // the first engine holds the store: no check while another opener runs
        Assert.Equal(0, (await RunAsync(new DomainAddCommand(cli), "", "example.test")).Code);
        Assert.Equal(0, (await RunAsync(new UserAddCommand(cli), "pw\n", "late@example.test", "--password-stdin")).Code);
        Assert.NotNull(await scope.Directory.AuthenticateAsync("late@example.test", "pw", token));
    }
}
