using Extensible.Sdk.Users;

namespace Extensible.Processing.Tests.Support;

/// <summary>A user directory over a fixed set of accounts and forwarders; every other domain is remote.</summary>
public sealed class DictionaryDirectory : IUserDirectory
{
    private readonly Dictionary<string, MailUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string[]> _forwards = new(StringComparer.OrdinalIgnoreCase);

    public string LocalDomain { get; init; } = "example.test";

    public DictionaryDirectory WithUser(string address)
    {
        _users[address] = new MailUser("id-" + address, address, null, [], StorageQuota.Unlimited);
        return this;
    }

    public DictionaryDirectory WithForward(string address, params string[] targets)
    {
        _forwards[address] = targets;
        return this;
    }

    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(string.Equals(domain, LocalDomain, StringComparison.OrdinalIgnoreCase));

    public ValueTask<RecipientResolution> ResolveRecipientAsync(string address, CancellationToken cancellationToken = default)
    {
        if (_users.TryGetValue(address, out var user))
        {
            return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.Local(user));
        }
        if (_forwards.TryGetValue(address, out var targets))
        {
            return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.Forward(targets));
        }
        return ValueTask.FromResult<RecipientResolution>(address.EndsWith("@" + LocalDomain, StringComparison.OrdinalIgnoreCase)
            ? new RecipientResolution.UnknownUser()
            : new RecipientResolution.Remote());
    }

    public ValueTask<MailUser?> FindAsync(string loginOrAddress, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_users.GetValueOrDefault(loginOrAddress));

    public ValueTask<MailUser?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<MailUser?>(null);
}
