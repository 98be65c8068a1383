using System.Composition;
using Extensible.Sdk.Plugins;

namespace Extensible.SmtpSending;

/// <summary>The SMTP Sending service: no listeners; it runs the idle-connection reaper and closes pooled connections on stop.</summary>
[Export(typeof(IMailPlugin))]
[method: ImportingConstructor]
public sealed class SmtpSendingPlugin(SmtpRemoteDelivery delivery) : IMailPlugin
{
    /// <inheritdoc />
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        // Spool files of attempts cut short by a crash are no longer needed: the queue still holds every message.
        var spool = Path.Combine(context.PluginDataDirectory, "spool");
        if (Directory.Exists(spool))
        {
            foreach (var file in Directory.EnumerateFiles(spool, "*.eml"))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException ex)
                {
                    context.Logger.Warning("Could not delete the stale spool file {File}: {Error}", file, ex.Message);
                }
            }
        }

        context.StartWorker("smtp-sending-idle-reaper", async stopping =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(stopping))
                {
                    await delivery.ReapAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
        });
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask StopAsync(CancellationToken cancellationToken) => await delivery.DisposeAsync();
}
