using System.Composition;
using Extensible.Sdk.Users;
using Extensible.Storage.Accounts;
using Extensible.Storage.Engine;

namespace Extensible.Storage;

/// <summary>The account directory over the embedded store; reads the database each time, so accounts changed by the CLI are seen at once.</summary>
[Export(typeof(IUserDirectory))]
[Shared]
[method: ImportingConstructor]
public sealed class UserDirectory(StorageEngine engine) : IUserDirectory
{
    /// <inheritdoc />
    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        var normalized = AddressSyntax.NormalizeDomain(domain, out _);
        if (normalized is null)
        {
            return ValueTask.FromResult(false);
        }

        using var connection = engine.OpenReader();
        return ValueTask.FromResult(AccountRepository.FindDomain(connection, normalized) is not null);
    }

    /// <inheritdoc />
    public ValueTask<RecipientResolution> ResolveRecipientAsync(string address, CancellationToken cancellationToken = default)
    {
        var normalized = AddressSyntax.Normalize(address, out _);
        if (normalized is null)
        {
            var at = address.LastIndexOf('@');
            var domainOnly = at < 0 ? null : AddressSyntax.NormalizeDomain(address[(at + 1)..], out _);
            if (domainOnly is null)
            {
                return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.Remote());
            }

            using var check = engine.OpenReader();
            return ValueTask.FromResult<RecipientResolution>(AccountRepository.FindDomain(check, domainOnly) is null
                ? new RecipientResolution.Remote()
                : new RecipientResolution.UnknownUser());
        }

        using var connection = engine.OpenReader();
        var split = normalized.LastIndexOf('@');
        var domain = AccountRepository.FindDomain(connection, normalized[(split + 1)..]);
        if (domain is null)
        {
            return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.Remote());
        }

        if (AccountRepository.FindAccount(connection, normalized) is { } account)
        {
            return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.Local(account.User));
        }

        var canonical = normalized[..split] + "@" + domain.Value.Name;
        var targets = connection.Query("SELECT target FROM forwarders WHERE address = @x ORDER BY target", r => r.GetString(0), ("@x", canonical));
        if (targets.Count > 0)
        {
            return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.Forward(targets));
        }

        if (domain.Value.CatchAll is { } catchAll)
        {
            return ValueTask.FromResult<RecipientResolution>(AccountRepository.FindAccount(connection, catchAll) is { } target
                ? new RecipientResolution.Local(target.User)
                : new RecipientResolution.Forward([catchAll]));
        }

        return ValueTask.FromResult<RecipientResolution>(new RecipientResolution.UnknownUser());
    }

    /// <inheritdoc />
    public ValueTask<MailUser?> FindAsync(string loginOrAddress, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Find(loginOrAddress)?.User);

    /// <inheritdoc />
    public async ValueTask<MailUser?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken = default)
    {
        var row = Find(login);
        if (row is null || !row.User.Enabled || row.PasswordHash is null || password.Length == 0 || password.Length > 1024)
        {
            return null;
        }

        var passwords = engine.Passwords;
        if (passwords.Cache.Contains(row.User.Id, row.PasswordHash, password))
        {
            return row.User;
        }

        var hash = row.PasswordHash;
        var ok = await Task.Run(() => passwords.Verify(hash, password), cancellationToken);
        if (!ok)
        {
            return null;
        }

        passwords.Cache.Add(row.User.Id, hash, password);
        return row.User;
    }

    /// <inheritdoc />
    public ValueTask<ScramCredentials?> GetScramCredentialsAsync(string login, string mechanism, CancellationToken cancellationToken = default)
    {
        if (!string.Equals(mechanism, "SCRAM-SHA-256", StringComparison.OrdinalIgnoreCase) || Find(login) is not { User.Enabled: true } row)
        {
            return ValueTask.FromResult<ScramCredentials?>(null);
        }

        using var connection = engine.OpenReader();
        var keys = connection.Query(
            "SELECT scram_salt, scram_iterations, scram_stored, scram_server FROM accounts WHERE id = @id AND scram_salt IS NOT NULL",
            r => new ScramCredentials(row.User, (byte[])r[0], r.GetInt32(1), (byte[])r[2], (byte[])r[3]), ("@id", row.User.Id));
        return ValueTask.FromResult(keys.FirstOrDefault());
    }

    private AccountRow? Find(string loginOrAddress)
    {
        var text = loginOrAddress.Trim();
        if (!text.Contains('@', StringComparison.Ordinal))
        {
            text += "@" + engine.PrimaryDomain;
        }

        var normalized = AddressSyntax.Normalize(text, out _);
        if (normalized is null)
        {
            return null;
        }

        using var connection = engine.OpenReader();
        return AccountRepository.FindAccount(connection, normalized);
    }
}
