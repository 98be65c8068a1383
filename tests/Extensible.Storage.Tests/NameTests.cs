using Extensible.Sdk.Storage;
using Extensible.Storage.Accounts;

namespace Extensible.Storage.Tests;

public sealed class NameTests
{
    [Theory]
    [InlineData("..")]
    [InlineData("../../etc")]
    [InlineData("a/../b")]
    [InlineData("/abs")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("nul\0byte")]
    [InlineData("line\r\nbreak")]
    [InlineData("")]
    public async Task Bad_folder_names_are_refused_and_touch_no_file(string name)
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, token);
        var before = Directory.EnumerateFileSystemEntries(scope.Root, "*", SearchOption.AllDirectories).Where(p => !p.Contains("store.db", StringComparison.Ordinal)).Order().ToList();
        var error = await Assert.ThrowsAsync<StoreException>(async () => await mailbox.CreateFolderAsync(name, cancellationToken: token));
        Assert.Equal(StoreError.InvalidName, error.Error);
        await Assert.ThrowsAsync<StoreException>(async () => await mailbox.AppendAsync(name, Some.Message(), StoreFlags.None, [], DateTimeOffset.UtcNow, token));
        await Assert.ThrowsAsync<StoreException>(async () => await mailbox.RenameFolderAsync("Sent", name, token));
        var after = Directory.EnumerateFileSystemEntries(scope.Root, "*", SearchOption.AllDirectories).Where(p => !p.Contains("store.db", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("../x@example.test")]
    [InlineData("a b@example.test")]
    [InlineData("a\0b@example.test")]
    [InlineData("a@../example.test")]
    [InlineData("a@exa/mple.test")]
    [InlineData("a@example..test")]
    [InlineData("a..b@example.test")]
    [InlineData("no-at-sign")]
    [InlineData("a@-bad.test")]
    public async Task Bad_addresses_are_refused(string address)
    {
        await using var scope = StoreScope.Create();
        await scope.Accounts.AddDomainAsync("example.test", TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<AccountException>(() => scope.Accounts.AddUserAsync(address, "pw", null, null, null, TestContext.Current.CancellationToken));
        Assert.Equal(AccountError.Invalid, error.Error);
    }

    [Fact]
    public async Task A_slash_in_a_local_part_is_data_and_creates_no_path()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync("../a/b@example.test".Replace("../", "", StringComparison.Ordinal));
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, TestContext.Current.CancellationToken);
        await mailbox.AppendAsync("INBOX", Some.Message(bodyBytes: 100_000), StoreFlags.None, [], DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        Assert.Equal("a/b@example.test", user.Address);
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(scope.Root, "*", SearchOption.AllDirectories),
            p => p.Contains("a/b", StringComparison.Ordinal) || p.Contains("example.test", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("User@EXAMPLE.test.", "user@example.test")]
    [InlineData("josé@bücher.example", "josé@xn--bcher-kva.example")]
    [InlineData("\"quoted local\"@example.test", "\"quoted local\"@example.test")]
    [InlineData("用户@例子.测试", "用户@xn--fsqu00a.xn--0zwm56d")]
    public void Addresses_are_normalized_with_idn_domains(string input, string expected) =>
        Assert.Equal(expected, AddressSyntax.Normalize(input, out _));
}
