using System.Composition;
using Extensible.Sdk.Admin;
using Extensible.Storage.Accounts;

namespace Extensible.Storage.Admin;

/// <summary><c>domain add NAME</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class DomainAddCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "domain add";
    public override string Usage => "DOMAIN";
    public override string Summary => "Adds a local domain (internationalized names are stored in their ASCII form).";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1);
        await Accounts.AddDomainAsync(args[0], cancellationToken);
        await context.Output.WriteLineAsync($"domain {AccountRepository.Domain(args[0])} added");
        return 0;
    }
}

/// <summary><c>domain remove NAME</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class DomainRemoveCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "domain remove";
    public override string Usage => "DOMAIN";
    public override string Summary => "Removes a local domain that has no accounts left.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1);
        await Accounts.RemoveDomainAsync(args[0], cancellationToken);
        await context.Output.WriteLineAsync($"domain {AccountRepository.Domain(args[0])} removed");
        return 0;
    }
}

/// <summary><c>domain list</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class DomainListCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "domain list";
    public override string Usage => "";
    public override string Summary => "Lists local domains with their aliases, catch-all and account count.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 0, 0);
        foreach (var domain in Accounts.ListDomains())
        {
            var aliases = domain.Aliases.Count == 0 ? "" : " aliases=" + string.Join(',', domain.Aliases);
            var catchAll = domain.CatchAll is null ? "" : " catchall=" + domain.CatchAll;
            await context.Output.WriteLineAsync($"{domain.Name} accounts={domain.Accounts}{aliases}{catchAll}");
        }

        return 0;
    }
}

/// <summary><c>domain alias add ALIAS DOMAIN</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class DomainAliasAddCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "domain alias add";
    public override string Usage => "ALIAS DOMAIN";
    public override string Summary => "Makes ALIAS another name of DOMAIN: user@ALIAS reaches user@DOMAIN.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 2, 2);
        await Accounts.AddDomainAliasAsync(args[0], args[1], cancellationToken);
        await context.Output.WriteLineAsync($"domain alias {AccountRepository.Domain(args[0])} -> {AccountRepository.Domain(args[1])} added");
        return 0;
    }
}

/// <summary><c>domain alias remove ALIAS</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class DomainAliasRemoveCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "domain alias remove";
    public override string Usage => "ALIAS";
    public override string Summary => "Removes a domain alias.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1);
        await Accounts.RemoveDomainAliasAsync(args[0], cancellationToken);
        await context.Output.WriteLineAsync($"domain alias {AccountRepository.Domain(args[0])} removed");
        return 0;
    }
}

/// <summary><c>domain catchall set DOMAIN ADDRESS</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class DomainCatchAllSetCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "domain catchall set";
    public override string Usage => "DOMAIN ADDRESS";
    public override string Summary => "Delivers mail for unknown addresses of DOMAIN to ADDRESS (a local account or any address).";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 2, 2);
        await Accounts.SetCatchAllAsync(args[0], args[1], cancellationToken);
        await context.Output.WriteLineAsync($"catch-all of {AccountRepository.Domain(args[0])} set to {AccountRepository.Address(args[1])}");
        return 0;
    }
}

/// <summary><c>domain catchall clear DOMAIN</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class DomainCatchAllClearCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "domain catchall clear";
    public override string Usage => "DOMAIN";
    public override string Summary => "Removes the catch-all of DOMAIN; unknown addresses are refused again.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1);
        await Accounts.SetCatchAllAsync(args[0], null, cancellationToken);
        await context.Output.WriteLineAsync($"catch-all of {AccountRepository.Domain(args[0])} cleared");
        return 0;
    }
}
