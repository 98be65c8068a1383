using System.Composition;
using Extensible.Sdk.Dns;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;
using Extensible.SmtpSending.Routing;
using Extensible.SmtpSending.Transport;

namespace Extensible.SmtpSending;

/// <summary>Delivers queued messages to other servers over SMTP: routing, connection reuse, per-domain limits, per-recipient results.</summary>
[Export(typeof(IRemoteDelivery))]
[Export]
[Shared]
public sealed class SmtpRemoteDelivery : IRemoteDelivery, IAsyncDisposable
{
    private readonly PluginContext _context;
    private readonly Serilog.ILogger _logger;
    private readonly ConnectionPool _pool;
    private readonly System.Diagnostics.Metrics.Counter<long> _recipients;
    private SmtpSendingOptions _options;

    /// <summary>Creates the delivery part; options are read now and again on reload.</summary>
    [ImportingConstructor]
    public SmtpRemoteDelivery(PluginContext context)
    {
        _context = context;
        _logger = context.Logger.ForContext<SmtpRemoteDelivery>();
        _options = context.GetOptions<SmtpSendingOptions>();
        _pool = new ConnectionPool(
            () => _options.MaxConnectionsPerDomain,
            () => TimeSpan.FromSeconds(Math.Max(0, _options.IdleTimeoutSeconds)),
            _logger);
        context.OnReload(() => _options = context.GetOptions<SmtpSendingOptions>());
        _recipients = context.Meter.CreateCounter<long>("smtp_sending.recipients", "{recipient}", "Recipients attempted, by outcome");
        context.Meter.CreateObservableGauge("smtp_sending.idle_connections", () => _pool.IdleCount, "{connection}", "Connections waiting in the reuse pool");
    }

    /// <summary>Connections idle in the reuse pool.</summary>
    internal int IdleConnections => _pool.IdleCount;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RemoteRecipientResult>> DeliverAsync(RemoteDeliveryRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Recipients.Count == 0)
        {
            return [];
        }

        try
        {
            var results = await DeliverCoreAsync(request, _options, cancellationToken);
            foreach (var result in results)
            {
                _recipients.Add(1, new KeyValuePair<string, object?>("status", result.Status.ToString()));
                _logger.Information(
                    "{QueueId} to {Recipient} via {RemoteHost}: {Status} {Diagnostic}",
                    request.QueueId, result.Recipient.Address, result.RemoteHost, result.Status, result.Diagnostic);
            }

            return results;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.Information("{QueueId} delivery to {Domain} cancelled; will be retried", request.QueueId, request.Domain);
            return AllFailed(request, RemoteDeliveryStatus.TemporaryFailure, "4.3.2", "local; delivery interrupted (server stopping)", null);
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "{QueueId} delivery to {Domain} failed unexpectedly; will be retried", request.QueueId, request.Domain);
            return AllFailed(request, RemoteDeliveryStatus.TemporaryFailure, "4.3.0", $"local; internal error during delivery: {ex.Message}", null);
        }
    }

    /// <summary>Closes connections that stayed idle too long; the plugin calls it periodically.</summary>
    internal Task ReapAsync(CancellationToken cancellationToken) => _pool.ReapAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private async Task<IReadOnlyList<RemoteRecipientResult>> DeliverCoreAsync(RemoteDeliveryRequest request, SmtpSendingOptions options, CancellationToken cancellationToken)
    {
        var dns = _context.GetRequiredService<IDnsResolver>();
        var router = new DeliveryRouter(dns, options, _context.ServerName);
        var route = await router.RouteAsync(request.Domain, cancellationToken);
        if (route.Failure is { } failure)
        {
            return AllFailed(request, failure, route.EnhancedCode, $"dns; {route.Diagnostic}", null);
        }

        var helo = string.IsNullOrWhiteSpace(options.HeloName) ? _context.ServerName : options.HeloName;
        var connector = new SmtpConnector(options, helo, _logger);
        var sender = new MessageSender(_logger, Path.Combine(_context.PluginDataDirectory, "spool"));
        using var lease = await _pool.AcquireAsync(route.Key, cancellationToken);

        // A pooled connection first: several messages over one connection to a domain.
        while (lease.TakeIdle() is { } idle)
        {
            var outcome = await sender.SendAsync(idle, request, cancellationToken);
            if (!outcome.TryElsewhere)
            {
                lease.Keep(idle, outcome.Reusable, options.MaxMessagesPerConnection);
                return outcome.Results;
            }

            _logger.Debug("{QueueId} pooled connection to {RemoteHost} was unusable; opening a new one", request.QueueId, idle.RemoteHost);
            idle.Dispose();
        }

        var lastError = "no address to connect to";
        var tried = 0;
        foreach (var target in route.Targets)
        {
            foreach (var address in target.Addresses)
            {
                if (tried++ >= Math.Max(1, options.MaxAddressesPerAttempt))
                {
                    break;
                }

                DeliveryClient client;
                try
                {
                    client = await connector.ConnectAsync(target, address, route.Key, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    lastError = $"{target.Host} [{address}]:{target.Port}: {Describe(ex)}";
                    _logger.Information("{QueueId} could not connect to {RemoteHost} [{Address}]:{Port}: {Error}", request.QueueId, target.Host, address, target.Port, Describe(ex));
                    continue;
                }

                var outcome = await sender.SendAsync(client, request, cancellationToken);
                if (outcome.TryElsewhere)
                {
                    lastError = outcome.Error ?? lastError;
                    client.Dispose();
                    continue;
                }

                lease.Keep(client, outcome.Reusable, options.MaxMessagesPerConnection);
                return outcome.Results;
            }
        }

        return AllFailed(request, RemoteDeliveryStatus.TemporaryFailure, "4.4.1", $"smtp; no server of {request.Domain} took the message: {lastError}", route.Targets.FirstOrDefault()?.Host);
    }

    private static string Describe(Exception ex) => ex switch
    {
        MailKit.Net.Smtp.SmtpCommandException command => $"{(int)command.StatusCode} {command.Message}",
        System.Net.Sockets.SocketException socket => socket.SocketErrorCode.ToString(),
        _ => ex.Message,
    };

    private static RemoteRecipientResult[] AllFailed(RemoteDeliveryRequest request, RemoteDeliveryStatus status, string enhancedCode, string diagnostic, string? host) =>
        [.. request.Recipients.Select(r => new RemoteRecipientResult(r, status, diagnostic, host, enhancedCode))];
}
