using System.Composition;
using Extensible.Sdk.Admin;
using Extensible.Storage.Accounts;

namespace Extensible.Storage.Admin;

/// <summary><c>alias add ALIAS ADDRESS</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class AliasAddCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "alias add";
    public override string Usage => "ALIAS ADDRESS";
    public override string Summary => "Adds another address (in a local domain) delivered to the account ADDRESS.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 2, 2);
        await Accounts.AddAliasAsync(args[0], args[1], cancellationToken);
        await context.Output.WriteLineAsync($"alias {AccountRepository.Address(args[0])} -> {AccountRepository.Address(args[1])} added");
        return 0;
    }
}

/// <summary><c>alias remove ALIAS</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class AliasRemoveCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "alias remove";
    public override string Usage => "ALIAS";
    public override string Summary => "Removes an alias address.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 1);
        await Accounts.RemoveAliasAsync(args[0], cancellationToken);
        await context.Output.WriteLineAsync($"alias {AccountRepository.Address(args[0])} removed");
        return 0;
    }
}

/// <summary><c>forward add ADDRESS TARGET</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class ForwardAddCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "forward add";
    public override string Usage => "ADDRESS TARGET";
    public override string Summary => "Makes the local ADDRESS (not an account) forward to TARGET; repeat for several targets.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 2, 2);
        await Accounts.AddForwardAsync(args[0], args[1], cancellationToken);
        await context.Output.WriteLineAsync($"forwarder {AccountRepository.Address(args[0])} -> {AccountRepository.Address(args[1])} added");
        return 0;
    }
}

/// <summary><c>forward remove ADDRESS [TARGET]</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class ForwardRemoveCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "forward remove";
    public override string Usage => "ADDRESS [TARGET]";
    public override string Summary => "Removes one target of a forwarder, or the whole forwarder.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 1, 2);
        await Accounts.RemoveForwardAsync(args[0], args.Count == 2 ? args[1] : null, cancellationToken);
        await context.Output.WriteLineAsync($"forwarder {AccountRepository.Address(args[0])} removed");
        return 0;
    }
}

/// <summary><c>forward list</c>.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class ForwardListCommand(StorageEngine engine) : StorageCommand(engine)
{
    public override string Name => "forward list";
    public override string Usage => "";
    public override string Summary => "Lists forwarders and their targets.";

    protected override async ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        var (args, options) = Parse(context.Arguments);
        Expect(args, options, 0, 0);
        foreach (var (address, target) in Accounts.ListForwards())
        {
            await context.Output.WriteLineAsync($"{address} -> {target}");
        }

        return 0;
    }
}
