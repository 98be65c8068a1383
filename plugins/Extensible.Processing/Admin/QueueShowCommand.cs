using System.Composition;
using System.Globalization;
using Extensible.Processing.Queue;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Admin;

/// <summary><c>queue show ID</c>: a message's envelope, schedule and per-recipient state (AXIGEN's LIST ID).</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class QueueShowCommand(PluginContext context) : QueueCommand(context)
{
    public override string Name => "queue show";

    public override string Usage => "ID";

    public override string Summary => "Shows one queued message: envelope, attempts, schedule and each recipient's state.";

    protected override async ValueTask<int> RunAsync(QueueDatabase database, AdminCommandContext command, CancellationToken cancellationToken)
    {
        if (await ParseIdAsync(command) is not { } id)
        {
            return 2;
        }
        var message = database.Load(id);
        if (message is null)
        {
            await command.Error.WriteLineAsync($"No message {command.Arguments[0]} in the queue.");
            return 1;
        }
        var output = command.Output;
        var envelope = message.Envelope;
        await output.WriteLineAsync($"Id: {message.QueueId}");
        await output.WriteLineAsync($"State: {(message.State == QueueState.Quarantined ? "quarantined" : "active")}");
        await output.WriteLineAsync($"From: <{envelope.MailFrom}>");
        await output.WriteLineAsync($"Source: {envelope.Source}{(envelope.ClientAddress is null ? "" : " from " + envelope.ClientAddress)}");
        await output.WriteLineAsync($"Received: {envelope.ReceivedAt.ToString("u", CultureInfo.InvariantCulture)}");
        await output.WriteLineAsync($"Size: {message.Size}");
        await output.WriteLineAsync($"Attempts: {message.Attempts}");
        await output.WriteLineAsync($"Next attempt: {message.NextAttempt.ToString("u", CultureInfo.InvariantCulture)}");
        if (message.Reason is not null)
        {
            await output.WriteLineAsync($"Reason: {message.Reason}");
        }
        if (envelope.DsnEnvelopeId is not null || envelope.DsnReturn is not null)
        {
            await output.WriteLineAsync($"DSN: RET={envelope.DsnReturn} ENVID={envelope.DsnEnvelopeId}");
        }
        foreach (var recipient in message.Recipients)
        {
            await output.WriteLineAsync(
                $"Recipient: <{recipient.Address}> {recipient.Status.ToString().ToLowerInvariant()} attempts={recipient.Attempts}" +
                $"{(recipient.EnhancedCode is null ? "" : " status=" + recipient.EnhancedCode)}{(recipient.Diagnostic is null ? "" : " \"" + recipient.Diagnostic + "\"")}");
        }
        return 0;
    }
}
