using System.Composition;
using System.Globalization;
using Extensible.Processing.Queue;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Admin;

/// <summary><c>queue list</c>: one line per queued message (AXIGEN's LIST).</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class QueueListCommand(PluginContext context) : QueueCommand(context)
{
    public override string Name => "queue list";

    public override string Usage => "[--quarantine]";

    public override string Summary => "Lists queued messages: id, state, attempts, next attempt, size, sender and pending recipients.";

    protected override async ValueTask<int> RunAsync(QueueDatabase database, AdminCommandContext command, CancellationToken cancellationToken)
    {
        var quarantineOnly = command.Arguments.Contains("--quarantine");
        var messages = database.List().Where(m => !quarantineOnly || m.State == QueueState.Quarantined).ToList();
        await command.Output.WriteLineAsync("ID\tSTATE\tATTEMPTS\tNEXT\tSIZE\tFROM\tRECIPIENTS");
        foreach (var message in messages)
        {
            var pending = message.Recipients.Where(r => r.Status == RecipientStatus.Pending).Select(r => r.Address);
            await command.Output.WriteLineAsync(string.Join('\t',
                message.QueueId,
                message.State == QueueState.Quarantined ? "quarantined" : "active",
                message.Attempts.ToString(CultureInfo.InvariantCulture),
                message.NextAttempt.ToUnixTimeMilliseconds() == 0 ? "now" : message.NextAttempt.ToString("u", CultureInfo.InvariantCulture),
                message.Size.ToString(CultureInfo.InvariantCulture),
                "<" + message.Envelope.MailFrom + ">",
                string.Join(',', pending)));
        }
        await command.Output.WriteLineAsync($"{messages.Count} message(s)");
        return 0;
    }
}
