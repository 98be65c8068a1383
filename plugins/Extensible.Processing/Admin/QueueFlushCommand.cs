using System.Composition;
using Extensible.Processing.Queue;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Admin;

/// <summary><c>queue flush</c>: makes every active message due now, ignoring schedules (AXIGEN's FORCE QUEUE).</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class QueueFlushCommand(PluginContext context) : QueueCommand(context)
{
    public override string Name => "queue flush";

    public override string Usage => "";

    public override string Summary => "Schedules every queued message for delivery now.";

    protected override async ValueTask<int> RunAsync(QueueDatabase database, AdminCommandContext command, CancellationToken cancellationToken)
    {
        if (command.Arguments.Count != 0)
        {
            await command.Error.WriteLineAsync($"usage: {Name}");
            return 2;
        }
        var count = database.FlushAll();
        await command.Output.WriteLineAsync($"{count} message(s) scheduled for delivery now.");
        return 0;
    }
}
