using System.Security.Cryptography;
using Extensible.Sdk.Security;
using Extensible.Sdk.Users;

namespace Extensible.Smtp.Tests.Support;

/// <summary>A directory with the local domain <c>example.test</c> and accounts added by the test.</summary>
internal sealed class TestUserDirectory : IUserDirectory
{
    private readonly Dictionary<string, (MailUser User, string Password)> _users = new(StringComparer.OrdinalIgnoreCase);

    public TestUserDirectory Add(string address, string password)
    {
        _users[address] = (new MailUser(address, address, null, [], StorageQuota.Unlimited), password);
        return this;
    }

    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(IsLocal(domain));

    public ValueTask<RecipientResolution> ResolveRecipientAsync(string address, CancellationToken cancellationToken = default)
    {
        var at = address.LastIndexOf('@');
        if (!IsLocal(address[(at + 1)..]))
        {
            return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.Remote());
        }

        return ValueTask.FromResult<RecipientResolution>(_users.TryGetValue(address, out var entry)
            ? new RecipientResolution.Local(entry.User)
            : new RecipientResolution.UnknownUser());
    }

    public ValueTask<MailUser?> FindAsync(string loginOrAddress, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_users.TryGetValue(loginOrAddress, out var entry) ? entry.User : null);

    public ValueTask<MailUser?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_users.TryGetValue(login, out var entry) && entry.Password == password ? entry.User : null);

    public ValueTask<ScramCredentials?> GetScramCredentialsAsync(string login, string mechanism, CancellationToken cancellationToken = default)
    {
        if (!_users.TryGetValue(login, out var entry))
        {
            return ValueTask.FromResult<ScramCredentials?>(null);
        }

        var salt = RandomNumberGenerator.GetBytes(16);
        var (stored, server) = ScramSha256Mechanism.DeriveKeys(entry.Password, salt, 4096);
        return ValueTask.FromResult<ScramCredentials?>(new ScramCredentials(entry.User, salt, 4096, stored, server));
    }

    private static bool IsLocal(string domain) =>
        string.Equals(domain.TrimEnd('.'), "example.test", StringComparison.OrdinalIgnoreCase);
}
