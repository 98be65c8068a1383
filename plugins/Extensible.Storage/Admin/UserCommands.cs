using System.Composition;
using System.Globalization;
using Extensible.Sdk.Admin;
using Extensible.Storage.Accounts;

namespace Extensible.Storage.Admin;

/// <summary><c>user add ADDRESS [--password-stdin] [--quota SIZE] [--max-messages N] [--display-name NAME]</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class UserAddCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "user add";
    public override string Usage => "ADDRESS [--password-stdin] [--quota SIZE] [--max-messages N] [--display-name NAME]";
    public override string Summary => "Creates an account with its default folders; the password is read from standard input.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments, "--quota", "--max-messages", "--display-name");
        Expect(args, options, 1, 1, "--password-stdin", "--quota", "--max-messages", "--display-name");
        var password = options.ContainsKey("--password-stdin") ? await ReadPasswordAsync(context.Input, cancellationToken) : null;
        long? quota = options.TryGetValue("--quota", out var q) ? ParseSize(q!) : null;
        long? messages = options.TryGetValue("--max-messages", out var m) ? ParseCount(m!) : null;
        options.TryGetValue("--display-name", out var displayName);
        var user = await Accounts.AddUserAsync(args[0], password, quota, messages, displayName, cancellationToken);
        await context.Output.WriteLineAsync($"user {user.Address} added");
        return 0;
    }
}

/// <summary><c>user passwd ADDRESS</c> (password on standard input).</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class UserPasswdCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "user passwd";
    public override string Usage => "ADDRESS [--password-stdin] | ADDRESS --hash-stdin";
    public override string Summary => "Sets an account's password from standard input, or imports a Dovecot/LDAP hash with --hash-stdin.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1, "--password-stdin", "--hash-stdin");
        var secret = await ReadPasswordAsync(context.Input, cancellationToken);
        if (options.ContainsKey("--hash-stdin"))
        {
            await Accounts.SetPasswordHashAsync(args[0], secret, cancellationToken);
        }
        else
        {
            await Accounts.SetPasswordAsync(args[0], secret, cancellationToken);
        }

        await context.Output.WriteLineAsync($"password of {AccountRepository.Address(args[0])} changed");
        return 0;
    }
}

/// <summary><c>user remove ADDRESS</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class UserRemoveCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "user remove";
    public override string Usage => "ADDRESS";
    public override string Summary => "Removes an account with its aliases, folders and messages.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1);
        await Accounts.RemoveUserAsync(args[0], cancellationToken);
        await context.Output.WriteLineAsync($"user {AccountRepository.Address(args[0])} removed");
        return 0;
    }
}

/// <summary><c>user list [DOMAIN]</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class UserListCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "user list";
    public override string Usage => "[DOMAIN]";
    public override string Summary => "Lists accounts, of one domain or all.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 0, 1);
        foreach (var row in Accounts.ListUsers(args.Count == 1 ? args[0] : null))
        {
            await context.Output.WriteLineAsync(row.User.Enabled ? row.User.Address : row.User.Address + " (disabled)");
        }

        return 0;
    }
}

/// <summary><c>user show ADDRESS</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class UserShowCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "user show";
    public override string Usage => "ADDRESS";
    public override string Summary => "Shows an account: aliases, quota and use, enabled flag (never the password hash).";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1);
        var row = Accounts.FindByAddress(AccountRepository.Address(args[0]))
            ?? throw new AccountException(AccountError.NotFound, $"account {AccountRepository.Address(args[0])} does not exist");
        var user = row.User;
        var output = context.Output;
        await output.WriteLineAsync($"address: {user.Address}");
        await output.WriteLineAsync($"id: {user.Id}");
        await output.WriteLineAsync($"display-name: {user.DisplayName}");
        await output.WriteLineAsync($"enabled: {(user.Enabled ? "yes" : "no")}");
        await output.WriteLineAsync($"aliases: {string.Join(' ', user.Aliases)}");
        await output.WriteLineAsync($"password: {(row.PasswordHash is null ? "not set" : "set")}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"quota-bytes: {FormatSize(user.Quota.MaxBytes)} used-bytes: {row.UsedBytes}"));
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"quota-messages: {FormatSize(user.Quota.MaxMessages)} used-messages: {row.UsedMessages}"));
        return 0;
    }
}

/// <summary><c>user set ADDRESS [--quota SIZE] [--max-messages N] [--display-name NAME] [--enable|--disable]</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class UserSetCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "user set";
    public override string Usage => "ADDRESS [--quota SIZE] [--max-messages N] [--display-name NAME] [--enable|--disable]";
    public override string Summary => "Changes an account's quota, display name or enabled flag.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments, "--quota", "--max-messages", "--display-name");
        Expect(args, options, 1, 1, "--quota", "--max-messages", "--display-name", "--enable", "--disable");
        if (options.ContainsKey("--enable") && options.ContainsKey("--disable"))
        {
            throw new UsageException("--enable and --disable exclude each other");
        }

        long? quota = options.TryGetValue("--quota", out var q) ? ParseSize(q!) : null;
        long? messages = options.TryGetValue("--max-messages", out var m) ? ParseCount(m!) : null;
        options.TryGetValue("--display-name", out var displayName);
        bool? enabled = options.ContainsKey("--enable") ? true : options.ContainsKey("--disable") ? false : null;
        var user = await Accounts.UpdateUserAsync(args[0], quota, messages, displayName, enabled, cancellationToken);
        await context.Output.WriteLineAsync($"user {user.Address} updated");
        return 0;
    }
}
