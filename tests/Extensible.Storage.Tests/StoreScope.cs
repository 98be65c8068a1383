using Extensible.Sdk.Users;
using Extensible.Storage.Accounts;

namespace Extensible.Storage.Tests;

/// <summary>A real store in a temporary folder, with cheap Argon2 settings, deleted at dispose.</summary>
internal sealed class StoreScope : IAsyncDisposable
{
    private StoreScope(string root, StorageOptions options)
    {
        Root = root;
        Options = options;
        Engine = new StorageEngine(Path.Combine(root, "storage"), options, Serilog.Core.Logger.None, "example.test");
        Accounts = new AccountRepository(Engine);
        Store = new MessageStore(Engine);
        Directory = new UserDirectory(Engine);
    }

    public string Root { get; }
    public StorageOptions Options { get; }
    public StorageEngine Engine { get; }
    public AccountRepository Accounts { get; }
    public MessageStore Store { get; }
    public UserDirectory Directory { get; }

    public static StoreScope Create(Action<StorageOptions>? configure = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "ext-storage-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(root);
        var options = new StorageOptions { Argon2MemoryKib = 1024, Argon2Iterations = 1 };
        configure?.Invoke(options);
        return new StoreScope(root, options);
    }

    public async Task<MailUser> AddUserAsync(string address = "a@example.test", string? password = "secret", long? quotaBytes = null, long? quotaMessages = null)
    {
        var domain = address[(address.LastIndexOf('@') + 1)..];
        if (!Accounts.ListDomains().Any(d => d.Name == domain))
        {
            await Accounts.AddDomainAsync(domain, TestContext.Current.CancellationToken);
        }

        return await Accounts.AddUserAsync(address, password, quotaBytes, quotaMessages, null, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Engine.Dispose();
        try
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}
