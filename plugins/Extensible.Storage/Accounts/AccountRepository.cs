using Extensible.Sdk.Users;
using Extensible.Storage.Engine;
using Extensible.Storage.Messages;
using Microsoft.Data.Sqlite;

namespace Extensible.Storage.Accounts;

/// <summary>Reads and changes domains, accounts, aliases, forwarders and catch-alls; every change is a group-committed write.</summary>
internal sealed class AccountRepository(StorageEngine engine)
{
    /// <summary>A domain with its aliases, catch-all and account count.</summary>
    public sealed record DomainInfo(string Name, IReadOnlyList<string> Aliases, string? CatchAll, long Accounts);

    /// <summary>The canonical domain for a normalized domain or domain alias, or null when not local.</summary>
    public static (long Id, string Name, string? CatchAll)? FindDomain(SqliteConnection connection, string domain)
    {
        var rows = connection.Query(
            "SELECT id, name, catchall FROM domains WHERE name = @d UNION ALL SELECT d.id, d.name, d.catchall FROM domain_aliases x JOIN domains d ON d.id = x.domain_id WHERE x.alias = @d",
            r => (r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)), ("@d", domain));
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Finds the account owning a normalized address (primary or alias, through domain aliases).</summary>
    public static AccountRow? FindAccount(SqliteConnection connection, string address)
    {
        var at = address.LastIndexOf('@');
        var domain = FindDomain(connection, address[(at + 1)..]);
        if (domain is null)
        {
            return null;
        }

        var canonical = address[..at] + "@" + domain.Value.Name;
        using var command = connection.Command(
            $"SELECT {AccountRow.Columns} FROM accounts a WHERE a.address = @x UNION ALL SELECT {AccountRow.Columns} FROM aliases l JOIN accounts a ON a.id = l.account_id WHERE l.address = @x LIMIT 1",
            ("@x", canonical));
        using var reader = command.ExecuteReader();
        return reader.Read() ? AccountRow.Read(reader, connection) : null;
    }

    /// <summary>Adds a domain.</summary>
    public Task AddDomainAsync(string name, CancellationToken cancellationToken)
    {
        var domain = Domain(name);
        return engine.WriteAsync(context =>
        {
            if (context.Scalar("SELECT 1 FROM domains WHERE name = @d UNION ALL SELECT 1 FROM domain_aliases WHERE alias = @d", ("@d", domain)) is not null)
            {
                throw new AccountException(AccountError.Duplicate, $"domain {domain} exists already");
            }

            context.Execute("INSERT INTO domains(name) VALUES (@d)", ("@d", domain));
            return true;
        }, cancellationToken);
    }

    /// <summary>Removes a domain that has no accounts left.</summary>
    public Task RemoveDomainAsync(string name, CancellationToken cancellationToken)
    {
        var domain = Domain(name);
        return engine.WriteAsync(context =>
        {
            var id = context.Scalar("SELECT id FROM domains WHERE name = @d", ("@d", domain))
                ?? throw new AccountException(AccountError.NotFound, $"domain {domain} does not exist");
            if (context.Scalar("SELECT 1 FROM accounts WHERE domain_id = @i LIMIT 1", ("@i", id)) is not null)
            {
                throw new AccountException(AccountError.Conflict, $"domain {domain} still has accounts; remove them first");
            }

            context.Execute("DELETE FROM forwarders WHERE address LIKE @p ESCAPE '\\'", ("@p", "%@" + domain.Replace("_", "\\_", StringComparison.Ordinal)));
            context.Execute("DELETE FROM domain_aliases WHERE domain_id = @i", ("@i", id));
            context.Execute("DELETE FROM domains WHERE id = @i", ("@i", id));
            return true;
        }, cancellationToken);
    }

    /// <summary>Every domain, by name.</summary>
    public IReadOnlyList<DomainInfo> ListDomains()
    {
        using var connection = engine.OpenReader();
        return connection.Query(
            "SELECT d.id, d.name, d.catchall, (SELECT count(*) FROM accounts a WHERE a.domain_id = d.id) FROM domains d ORDER BY d.name",
            r => (r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3)))
            .Select(d => new DomainInfo(d.Item2,
                connection.Query("SELECT alias FROM domain_aliases WHERE domain_id = @i ORDER BY alias", r => r.GetString(0), ("@i", d.Item1)), d.Item3, d.Item4))
            .ToList();
    }

    /// <summary>Adds a domain alias: mail to any address at <paramref name="alias"/> goes to the same local part at <paramref name="domainName"/>.</summary>
    public Task AddDomainAliasAsync(string alias, string domainName, CancellationToken cancellationToken)
    {
        var aliasDomain = Domain(alias);
        var domain = Domain(domainName);
        return engine.WriteAsync(context =>
        {
            var id = context.Scalar("SELECT id FROM domains WHERE name = @d", ("@d", domain))
                ?? throw new AccountException(AccountError.NotFound, $"domain {domain} does not exist");
            if (context.Scalar("SELECT 1 FROM domains WHERE name = @d UNION ALL SELECT 1 FROM domain_aliases WHERE alias = @d", ("@d", aliasDomain)) is not null)
            {
                throw new AccountException(AccountError.Duplicate, $"{aliasDomain} is already a domain or domain alias");
            }

            context.Execute("INSERT INTO domain_aliases(alias, domain_id) VALUES (@a, @i)", ("@a", aliasDomain), ("@i", id));
            return true;
        }, cancellationToken);
    }

    /// <summary>Removes a domain alias.</summary>
    public Task RemoveDomainAliasAsync(string alias, CancellationToken cancellationToken)
    {
        var aliasDomain = Domain(alias);
        return engine.WriteAsync(context => context.Execute("DELETE FROM domain_aliases WHERE alias = @a", ("@a", aliasDomain)) == 1
            ? true
            : throw new AccountException(AccountError.NotFound, $"domain alias {aliasDomain} does not exist"), cancellationToken);
    }

    /// <summary>Sets (or, with null, clears) the address that takes mail for unknown local parts of a domain.</summary>
    public Task SetCatchAllAsync(string domainName, string? target, CancellationToken cancellationToken)
    {
        var domain = Domain(domainName);
        var normalized = target is null ? null : Address(target);
        return engine.WriteAsync(context => context.Execute("UPDATE domains SET catchall = @c WHERE name = @d", ("@c", normalized), ("@d", domain)) == 1
            ? true
            : throw new AccountException(AccountError.NotFound, $"domain {domain} does not exist"), cancellationToken);
    }

    /// <summary>Creates an account with its default folders; the domain must exist.</summary>
    public async Task<MailUser> AddUserAsync(string address, string? password, long? quotaBytes, long? quotaMessages, string? displayName, CancellationToken cancellationToken)
    {
        var normalized = Address(address);
        var hash = password is null ? null : await HashAsync(password, cancellationToken);
        var scram = password is null ? default : engine.Passwords.DeriveScram(password);
        var id = Guid.NewGuid().ToString("N");
        await engine.WriteAsync(context =>
        {
            var domain = normalized[(normalized.LastIndexOf('@') + 1)..];
            var domainId = context.Scalar("SELECT id FROM domains WHERE name = @d", ("@d", domain))
                ?? throw new AccountException(AccountError.NotFound, $"domain {domain} does not exist; add it with 'domain add {domain}'");
            EnsureAddressFree(context, normalized);
            context.Execute(
                """
                INSERT INTO accounts(id, address, domain_id, display_name, password_hash, scram_salt, scram_iterations, scram_stored, scram_server,
                                     quota_bytes, quota_messages, created)
                VALUES (@id, @x, @d, @n, @h, @ss, @si, @sk, @sv, @qb, @qm, @c)
                """,
                ("@id", id), ("@x", normalized), ("@d", domainId), ("@n", displayName), ("@h", hash),
                ("@ss", scram.Salt), ("@si", hash is null ? null : scram.Iterations), ("@sk", scram.StoredKey), ("@sv", scram.ServerKey),
                ("@qb", quotaBytes ?? engine.Options.DefaultQuotaBytes), ("@qm", quotaMessages ?? engine.Options.DefaultQuotaMessages),
                ("@c", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            MessageWrites.EnsureDefaultFolders(context, id);
            return true;
        }, cancellationToken);
        return FindByAddress(normalized)!.User;
    }

    /// <summary>Sets a new password (and SCRAM keys); the verification cache forgets the old one.</summary>
    public async Task SetPasswordAsync(string address, string password, CancellationToken cancellationToken)
    {
        var row = FindByAddress(Address(address)) ?? throw new AccountException(AccountError.NotFound, $"account {Address(address)} does not exist");
        var hash = await HashAsync(password, cancellationToken);
        var scram = engine.Passwords.DeriveScram(password);
        await engine.WriteAsync(context => context.Execute(
            "UPDATE accounts SET password_hash = @h, scram_salt = @ss, scram_iterations = @si, scram_stored = @sk, scram_server = @sv WHERE id = @id",
            ("@h", hash), ("@ss", scram.Salt), ("@si", scram.Iterations), ("@sk", scram.StoredKey), ("@sv", scram.ServerKey), ("@id", row.User.Id)), cancellationToken);
        engine.Passwords.Cache.Invalidate(row.User.Id);
    }

    /// <summary>Stores an already-hashed password from an import (Dovecot or LDAP scheme); SCRAM keys are cleared.</summary>
    public async Task SetPasswordHashAsync(string address, string storedHash, CancellationToken cancellationToken)
    {
        if (!engine.Passwords.IsKnownScheme(storedHash))
        {
            throw new AccountException(AccountError.Invalid, "the hash uses an unknown or disabled scheme");
        }

        var row = FindByAddress(Address(address)) ?? throw new AccountException(AccountError.NotFound, $"account {Address(address)} does not exist");
        await engine.WriteAsync(context => context.Execute(
            "UPDATE accounts SET password_hash = @h, scram_salt = NULL, scram_iterations = NULL, scram_stored = NULL, scram_server = NULL WHERE id = @id",
            ("@h", storedHash), ("@id", row.User.Id)), cancellationToken);
        engine.Passwords.Cache.Invalidate(row.User.Id);
    }

    /// <summary>Changes an account's quota, display name or enabled flag (null leaves a value as it is).</summary>
    public async Task<MailUser> UpdateUserAsync(string address, long? quotaBytes, long? quotaMessages, string? displayName, bool? enabled, CancellationToken cancellationToken)
    {
        var row = FindByAddress(Address(address)) ?? throw new AccountException(AccountError.NotFound, $"account {Address(address)} does not exist");
        await engine.WriteAsync(context => context.Execute(
            """
            UPDATE accounts SET quota_bytes = coalesce(@qb, quota_bytes), quota_messages = coalesce(@qm, quota_messages),
                                display_name = coalesce(@n, display_name), enabled = coalesce(@e, enabled) WHERE id = @id
            """,
            ("@qb", quotaBytes), ("@qm", quotaMessages), ("@n", displayName), ("@e", enabled is null ? null : enabled.Value ? 1 : 0), ("@id", row.User.Id)),
            cancellationToken);
        engine.Passwords.Cache.Invalidate(row.User.Id);
        return FindByAddress(row.User.Address)!.User;
    }

    /// <summary>Removes an account, its aliases, folders and messages.</summary>
    public async Task RemoveUserAsync(string address, CancellationToken cancellationToken)
    {
        var normalized = Address(address);
        var removed = await engine.WriteAsync(context =>
        {
            var id = (string?)context.Scalar("SELECT id FROM accounts WHERE address = @x", ("@x", normalized))
                ?? throw new AccountException(AccountError.NotFound, $"account {normalized} does not exist");
            var folders = context.Query("SELECT id, path, uid_validity FROM folders WHERE account_id = @a",
                r => new MessageWrites.FolderRow(r.GetInt64(0), r.GetString(1), (uint)r.GetInt64(2)), ("@a", id));
            foreach (var folder in folders)
            {
                MessageWrites.DeleteFolder(context, id, folder, engine.MessagesDirectory);
            }

            context.Execute("DELETE FROM subscriptions WHERE account_id = @a", ("@a", id));
            context.Execute("DELETE FROM aliases WHERE account_id = @a", ("@a", id));
            context.Execute("DELETE FROM accounts WHERE id = @a", ("@a", id));
            return id;
        }, cancellationToken);
        engine.Passwords.Cache.Invalidate(removed);
    }

    /// <summary>Accounts, optionally of one domain, by address.</summary>
    public IReadOnlyList<AccountRow> ListUsers(string? domainName)
    {
        var domain = domainName is null ? null : Domain(domainName);
        using var connection = engine.OpenReader();
        using var command = connection.Command(
            $"SELECT {AccountRow.Columns} FROM accounts a JOIN domains d ON d.id = a.domain_id WHERE @d IS NULL OR d.name = @d ORDER BY a.address", ("@d", domain));
        using var reader = command.ExecuteReader();
        var result = new List<AccountRow>();
        while (reader.Read())
        {
            result.Add(AccountRow.Read(reader, connection));
        }

        return result;
    }

    /// <summary>The account with a normalized primary address or alias, or null.</summary>
    public AccountRow? FindByAddress(string normalizedAddress)
    {
        using var connection = engine.OpenReader();
        return FindAccount(connection, normalizedAddress);
    }

    /// <summary>Adds an alias address to an account; the alias's domain must be local.</summary>
    public Task AddAliasAsync(string alias, string address, CancellationToken cancellationToken)
    {
        var aliasAddress = Address(alias);
        var target = Address(address);
        return engine.WriteAsync(context =>
        {
            var id = context.Scalar("SELECT id FROM accounts WHERE address = @x", ("@x", target))
                ?? throw new AccountException(AccountError.NotFound, $"account {target} does not exist");
            RequireDomain(context, aliasAddress);
            EnsureAddressFree(context, aliasAddress);
            context.Execute("INSERT INTO aliases(address, account_id) VALUES (@x, @a)", ("@x", aliasAddress), ("@a", id));
            return true;
        }, cancellationToken);
    }

    /// <summary>Removes an alias address.</summary>
    public Task RemoveAliasAsync(string alias, CancellationToken cancellationToken)
    {
        var aliasAddress = Address(alias);
        return engine.WriteAsync(context => context.Execute("DELETE FROM aliases WHERE address = @x", ("@x", aliasAddress)) == 1
            ? true
            : throw new AccountException(AccountError.NotFound, $"alias {aliasAddress} does not exist"), cancellationToken);
    }

    /// <summary>Adds a forwarding target to a local address that is not an account or alias.</summary>
    public Task AddForwardAsync(string address, string target, CancellationToken cancellationToken)
    {
        var source = Address(address);
        var destination = Address(target);
        return engine.WriteAsync(context =>
        {
            RequireDomain(context, source);
            if (context.Scalar("SELECT 1 FROM accounts WHERE address = @x UNION ALL SELECT 1 FROM aliases WHERE address = @x", ("@x", source)) is not null)
            {
                throw new AccountException(AccountError.Duplicate, $"{source} is an account or alias");
            }

            if (context.Execute("INSERT OR IGNORE INTO forwarders(address, target) VALUES (@x, @t)", ("@x", source), ("@t", destination)) == 0)
            {
                throw new AccountException(AccountError.Duplicate, $"{source} already forwards to {destination}");
            }

            return true;
        }, cancellationToken);
    }

    /// <summary>Removes one target of a forwarder, or all of them when <paramref name="target"/> is null.</summary>
    public Task RemoveForwardAsync(string address, string? target, CancellationToken cancellationToken)
    {
        var source = Address(address);
        var destination = target is null ? null : Address(target);
        return engine.WriteAsync(context => context.Execute("DELETE FROM forwarders WHERE address = @x AND (@t IS NULL OR target = @t)",
            ("@x", source), ("@t", destination)) > 0
            ? true
            : throw new AccountException(AccountError.NotFound, $"no forwarder {source}{(destination is null ? "" : " to " + destination)}"), cancellationToken);
    }

    /// <summary>Every forwarder as (address, target), by address.</summary>
    public IReadOnlyList<(string Address, string Target)> ListForwards()
    {
        using var connection = engine.OpenReader();
        return connection.Query("SELECT address, target FROM forwarders ORDER BY address, target", r => (r.GetString(0), r.GetString(1)));
    }

    /// <summary>Normalizes an address or throws <see cref="AccountException"/>.</summary>
    public static string Address(string address) =>
        AddressSyntax.Normalize(address, out var error) ?? throw new AccountException(AccountError.Invalid, error!);

    /// <summary>Normalizes a domain or throws <see cref="AccountException"/>.</summary>
    public static string Domain(string domain) =>
        AddressSyntax.NormalizeDomain(domain, out var error) ?? throw new AccountException(AccountError.Invalid, error!);

    private Task<string> HashAsync(string password, CancellationToken cancellationToken)
    {
        if (password.Length == 0 || password.Length > 1024 || password.Any(c => c is '\0' or '\r' or '\n'))
        {
            throw new AccountException(AccountError.Invalid, "a password must have 1 to 1024 characters and no NUL or line break");
        }

        return Task.Run(() => engine.Passwords.Hash(password), cancellationToken);
    }

    private static void RequireDomain(WriteContext context, string address)
    {
        var domain = address[(address.LastIndexOf('@') + 1)..];
        if (context.Scalar("SELECT 1 FROM domains WHERE name = @d", ("@d", domain)) is null)
        {
            throw new AccountException(AccountError.NotFound, $"domain {domain} does not exist");
        }
    }

    private static void EnsureAddressFree(WriteContext context, string address)
    {
        if (context.Scalar(
            "SELECT 1 FROM accounts WHERE address = @x UNION ALL SELECT 1 FROM aliases WHERE address = @x UNION ALL SELECT 1 FROM forwarders WHERE address = @x",
            ("@x", address)) is not null)
        {
            throw new AccountException(AccountError.Duplicate, $"{address} exists already (account, alias or forwarder)");
        }
    }
}
