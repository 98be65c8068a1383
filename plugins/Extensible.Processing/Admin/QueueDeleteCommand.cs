using System.Composition;
using Extensible.Processing.Queue;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Admin;

/// <summary><c>queue delete ID</c>: removes a message from the queue without a delivery report.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class QueueDeleteCommand(PluginContext context) : QueueCommand(context)
{
    public override string Name => "queue delete";

    public override string Usage => "ID";

    public override string Summary => "Deletes a queued or quarantined message (no delivery report is sent).";

    protected override async ValueTask<int> RunAsync(QueueDatabase database, AdminCommandContext command, CancellationToken cancellationToken)
    {
        if (await ParseIdAsync(command) is not { } id)
        {
            return 2;
        }
        if (!database.Delete(id))
        {
            await command.Error.WriteLineAsync($"No message {command.Arguments[0]} in the queue.");
            return 1;
        }
        await command.Output.WriteLineAsync($"{QueueIds.Format(id)} deleted.");
        return 0;
    }
}
