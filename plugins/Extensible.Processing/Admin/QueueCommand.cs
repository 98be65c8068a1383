using Extensible.Processing.Queue;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Admin;

/// <summary>Base of the <c>queue</c> commands: they open the queue database beside the running server (SQLite waits its turn).</summary>
public abstract class QueueCommand(PluginContext context) : IAdminCommand
{
    public abstract string Name { get; }

    public abstract string Usage { get; }

    public abstract string Summary { get; }

    public async ValueTask<int> RunAsync(AdminCommandContext command, CancellationToken cancellationToken)
    {
        try
        {
            var options = context.GetOptions<ProcessingOptions>();
            var database = new QueueDatabase(Path.GetFullPath(Path.Combine(context.PluginDataDirectory, options.QueuePath)));
            return await RunAsync(database, command, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await command.Error.WriteLineAsync($"{Name}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>Runs the command on the open queue.</summary>
    protected abstract ValueTask<int> RunAsync(QueueDatabase database, AdminCommandContext command, CancellationToken cancellationToken);

    /// <summary>Parses the single ID argument; writes the usage error and returns null when it is missing or malformed.</summary>
    protected async ValueTask<long?> ParseIdAsync(AdminCommandContext command)
    {
        if (command.Arguments.Count != 1 || !QueueIds.TryParse(command.Arguments[0], out var id))
        {
            await command.Error.WriteLineAsync($"usage: {Name} {Usage}");
            return null;
        }
        return id;
    }
}
