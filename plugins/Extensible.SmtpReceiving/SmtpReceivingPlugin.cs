using System.Composition;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Users;

namespace Extensible.SmtpReceiving;

/// <summary>The SMTP Receiving service: ESMTP on the mx, submission and smtps listeners, handing messages to Processing.</summary>
[Export(typeof(IMailPlugin))]
public sealed class SmtpReceivingPlugin : IMailPlugin
{
    private IDisposable? _reloadRegistration;

    /// <inheritdoc />
    public ThreadBudget DefaultBudget { get; } = new() { MinThreads = 2, MaxThreads = 20, MaxConnections = 1000 };

    /// <inheritdoc />
    public IReadOnlyList<ListenerDefaults> DefaultListeners { get; } =
    [
        new("mx", "127.0.0.1:2525"),
        new("submission", "127.0.0.1:2587"),
        new("smtps", "127.0.0.1:2465", ImplicitTls: true),
    ];

    /// <inheritdoc />
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        RemoveStaleSpoolFiles(context);
        var handler = new SmtpConnectionHandler(CreateServices(context));
        _reloadRegistration = context.OnReload(() =>
        {
            try
            {
                handler.Update(CreateServices(context));
            }
            catch (Exception ex) when (ex is FormatException or PluginDependencyException)
            {
                context.Logger.Error(ex, "SMTP receiving options not reloaded; the previous ones stay in force");
            }
        });
        context.Listen(handler);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken)
    {
        _reloadRegistration?.Dispose();
        _reloadRegistration = null;
        return ValueTask.CompletedTask;
    }

    private static void RemoveStaleSpoolFiles(PluginContext context)
    {
        // Spool files are deleted on close; any left belong to a crashed process and were never acknowledged with 250.
        var spool = new DirectoryInfo(Path.Combine(context.PluginDataDirectory, "spool"));
        if (!spool.Exists)
        {
            return;
        }

        foreach (var file in spool.EnumerateFiles())
        {
            try
            {
                file.Delete();
            }
            catch (IOException ex)
            {
                context.Logger.Warning(ex, "Could not remove stale spool file {File}", file.FullName);
            }
        }
    }

    private static SmtpReceivingServices CreateServices(PluginContext context)
    {
        var options = context.GetOptions<SmtpReceivingOptions>();
        var spool = Path.Combine(context.PluginDataDirectory, "spool");
        Directory.CreateDirectory(spool);
        var hooks = context.GetServices<ISmtpHook>().OrderBy(h => h.Order).ToArray();
        return new SmtpReceivingServices(
            options,
            context.ServerName,
            context.PrimaryDomain,
            spool,
            context.GetRequiredService<IMessagePipeline>(),
            context.GetRequiredService<IUserDirectory>(),
            hooks);
    }
}
