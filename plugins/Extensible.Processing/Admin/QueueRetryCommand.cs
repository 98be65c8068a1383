using System.Composition;
using Extensible.Processing.Queue;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Admin;

/// <summary><c>queue retry ID</c>: makes a message due now, releasing it from quarantine; the server picks it up at its next poll.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class QueueRetryCommand(PluginContext context) : QueueCommand(context)
{
    public override string Name => "queue retry";

    public override string Usage => "ID";

    public override string Summary => "Schedules a queued (or quarantined) message for delivery now.";

    protected override async ValueTask<int> RunAsync(QueueDatabase database, AdminCommandContext command, CancellationToken cancellationToken)
    {
        if (await ParseIdAsync(command) is not { } id)
        {
            return 2;
        }
        if (!database.RetryNow(id))
        {
            await command.Error.WriteLineAsync($"No message {command.Arguments[0]} in the queue.");
            return 1;
        }
        await command.Output.WriteLineAsync($"{QueueIds.Format(id)} scheduled for delivery now.");
        return 0;
    }
}
