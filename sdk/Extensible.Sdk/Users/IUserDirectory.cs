namespace Extensible.Sdk.Users;

/// <summary>Looks up and authenticates mail users; the Storage plugin provides one, an LDAP plugin may provide another.</summary>
public interface IUserDirectory
{
    /// <summary>True when <paramref name="domain"/> (or a domain alias) is served here; compares without case and trailing dot.</summary>
    ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>Resolves an envelope recipient through accounts, aliases, domain aliases, forwarders and catch-all.</summary>
    ValueTask<RecipientResolution> ResolveRecipientAsync(string address, CancellationToken cancellationToken = default);

    /// <summary>Finds an account by its login name or any of its addresses; null when there is none.</summary>
    ValueTask<MailUser?> FindAsync(string loginOrAddress, CancellationToken cancellationToken = default);

    /// <summary>Checks a password; null on bad credentials, unknown or disabled account. Never log the password.</summary>
    ValueTask<MailUser?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken = default);

    /// <summary>The stored SCRAM keys for a login and mechanism (<c>SCRAM-SHA-256</c>), or null when not available.</summary>
    ValueTask<ScramCredentials?> GetScramCredentialsAsync(string login, string mechanism, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<ScramCredentials?>(null);
}
