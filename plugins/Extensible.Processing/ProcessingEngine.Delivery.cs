using System.Diagnostics;
using Extensible.Processing.Delivery;
using Extensible.Processing.Dsn;
using Extensible.Processing.Queue;
using Extensible.Processing.Spool;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;
using MimeKit;

namespace Extensible.Processing;

public sealed partial class ProcessingEngine
{
    /// <summary>One delivery attempt of one message: routes every pending recipient, delivers, then commits the new state.</summary>
    private async Task AttemptAsync(DeliveryItem item, CancellationToken cancellationToken)
    {
        var message = item.Message;
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, _options.AttemptTimeout)));
            var before = message.Recipients.Select(r => r.Status).ToList();
            var successDomains = new List<string>();
            try
            {
                await RouteAndDeliverAsync(message, item.Content, successDomains, attemptTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                foreach (var recipient in message.Recipients.Where(r => r.Status == RecipientStatus.Pending))
                {
                    Defer(recipient, "4.4.7", "delivery attempt timed out");
                }
            }
            await FinishAttemptAsync(message, item.Content, before, cancellationToken);
            foreach (var domain in successDomains)
            {
                await _writer!.ScheduleDomainNowAsync(domain, cancellationToken);
                _wake.Release();
            }
            _logger.Debug("Attempt {Attempt} of {QueueId} took {Elapsed}", message.Attempts, message.QueueId, Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the record is unchanged on disk and the message is tried again after restart.
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "Delivery attempt of {QueueId} failed; it stays queued for the next poll", message.QueueId);
        }
        finally
        {
            item.Content?.Dispose();
            _inFlight.TryRemove(message.Id, out _);
        }
    }

    private Func<CancellationToken, ValueTask<Stream>> ContentOpener(QueuedMessage message, MessageContent? content) => async cancellationToken =>
    {
        Stream raw = content is not null && (content.Bytes is not null || File.Exists(content.SpoolPath))
            ? content.OpenRead()
            : Database.OpenContent(message.Id) ?? throw new InvalidOperationException($"Message {message.QueueId} has no content in the queue.");
        return await HeaderRewriter.ApplyAsync(raw, message.HeaderEdits, cancellationToken);
    };

    private async Task RouteAndDeliverAsync(QueuedMessage message, MessageContent? content, List<string> successDomains, CancellationToken cancellationToken)
    {
        var open = ContentOpener(message, content);
        var local = new List<(RecipientState Recipient, MailUser User)>();
        var remote = new Dictionary<string, List<RecipientState>>(StringComparer.OrdinalIgnoreCase);
        message.DeferredDomains.Clear();

        for (var i = 0; i < message.Recipients.Count; i++)
        {
            var recipient = message.Recipients[i];
            if (recipient.Status != RecipientStatus.Pending)
            {
                continue;
            }
            recipient.Attempts++;
            if (_directory is null)
            {
                Defer(recipient, "4.3.0", "no user directory is running");
                continue;
            }
            RecipientResolution resolution;
            try
            {
                resolution = await _directory.ResolveRecipientAsync(recipient.Address, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                _logger.Warning(ex, "Resolving {Recipient} of {QueueId} failed", recipient.Address, message.QueueId);
                Defer(recipient, "4.4.3", "recipient lookup failed");
                continue;
            }
            switch (resolution)
            {
                case RecipientResolution.Local { User.Enabled: false }:
                    Fail(recipient, "5.2.1", "mailbox disabled");
                    break;
                case RecipientResolution.Local found:
                    local.Add((recipient, found.User));
                    break;
                case RecipientResolution.Forward forward:
                    Expand(message, recipient, forward.Targets);
                    break;
                case RecipientResolution.UnknownUser:
                    Fail(recipient, "5.1.1", "550 5.1.1 no such user");
                    break;
                default:
                    var at = recipient.Address.LastIndexOf('@');
                    var domain = at < 0 ? "" : recipient.Address[(at + 1)..].TrimEnd('.').ToLowerInvariant();
                    if (domain.Length == 0)
                    {
                        Fail(recipient, "5.1.3", "bad recipient address syntax");
                        break;
                    }
                    if (!remote.TryGetValue(domain, out var list))
                    {
                        remote[domain] = list = [];
                    }
                    list.Add(recipient);
                    break;
            }
        }

        if (local.Count > 0)
        {
            await DeliverLocalAsync(message, local, open, cancellationToken);
        }
        foreach (var (domain, recipients) in remote)
        {
            await DeliverRemoteAsync(message, domain, recipients, open, successDomains, cancellationToken);
        }
    }

    private void Expand(QueuedMessage message, RecipientState forwarder, IReadOnlyList<string> targets)
    {
        if (forwarder.Depth >= _options.MaxForwardDepth)
        {
            Fail(forwarder, "5.4.6", "forwarding loop or too many forwarding levels");
            return;
        }
        var added = 0;
        var loop = false;
        foreach (var target in targets.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var existing = message.Recipients.Find(r => string.Equals(r.Address, target, StringComparison.OrdinalIgnoreCase));
            if (existing is not null)
            {
                loop |= existing.Status == RecipientStatus.Expanded || ReferenceEquals(existing, forwarder);
                continue;
            }
            message.Recipients.Add(new RecipientState
            {
                Address = target,
                Notify = forwarder.Notify,
                OriginalRecipient = forwarder.OriginalRecipient ?? "rfc822;" + forwarder.Address,
                Depth = forwarder.Depth + 1,
            });
            added++;
        }
        if (added == 0 && (loop || targets.Count == 0))
        {
            Fail(forwarder, "5.4.6", targets.Count == 0 ? "forwarder has no targets" : "forwarding loop");
            return;
        }
        forwarder.Status = RecipientStatus.Expanded;
        forwarder.EnhancedCode = "2.0.0";
        forwarder.Diagnostic = $"forwarded to {added} address(es)";
        _logger.Information("{Recipient} of {QueueId} forwarded to {Targets}", forwarder.Address, message.QueueId, targets);
    }

    private async Task DeliverLocalAsync(QueuedMessage message, List<(RecipientState Recipient, MailUser User)> local, Func<CancellationToken, ValueTask<Stream>> open, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            local.ForEach(l => Defer(l.Recipient, "4.3.0", "message store not available"));
            return;
        }
        // Single instance: one store call, one copy shared by every local account.
        var deliveries = local.DistinctBy(l => l.User.Id).Select(l => new LocalDelivery(l.User)).ToList();
        IReadOnlyList<LocalDeliveryResult> results;
        try
        {
            await using var content = await open(cancellationToken);
            results = await _store.DeliverAsync(deliveries, content, message.Envelope.ReceivedAt, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StoreException ex) when (ex.Error == StoreError.TooLarge)
        {
            local.ForEach(l => Fail(l.Recipient, "5.2.3", "message too large for the mailbox"));
            return;
        }
        catch (StoreException ex) when (ex.Error == StoreError.QuotaExceeded)
        {
            local.ForEach(l => OverQuota(l.Recipient));
            return;
        }
        catch (Exception ex)
        {
            _logger.Warning(ex, "Local delivery of {QueueId} failed", message.QueueId);
            local.ForEach(l => Defer(l.Recipient, "4.3.0", "local delivery failed: " + ex.Message));
            return;
        }
        var byUser = new Dictionary<string, LocalDeliveryResult>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            byUser[result.Delivery.User.Id] = result;
        }
        foreach (var (recipient, user) in local)
        {
            if (!byUser.TryGetValue(user.Id, out var result))
            {
                Defer(recipient, "4.3.0", "the store gave no result");
                continue;
            }
            switch (result.Status)
            {
                case LocalDeliveryStatus.Delivered:
                    recipient.Status = RecipientStatus.Delivered;
                    recipient.EnhancedCode = "2.0.0";
                    recipient.Diagnostic = $"delivered to {user.Address} (uid {result.Uid})";
                    _delivered?.Add(1);
                    _logger.Information("{QueueId} delivered to {Recipient} as {Account}", message.QueueId, recipient.Address, user.Address);
                    break;
                case LocalDeliveryStatus.QuotaExceeded:
                    OverQuota(recipient);
                    break;
                case LocalDeliveryStatus.PermanentFailure:
                    Fail(recipient, "5.3.0", result.Error ?? "local delivery refused");
                    break;
                default:
                    Defer(recipient, "4.3.0", result.Error ?? "temporary local delivery failure");
                    break;
            }
        }
    }

    private async Task DeliverRemoteAsync(QueuedMessage message, string domain, List<RecipientState> recipients, Func<CancellationToken, ValueTask<Stream>> open, List<string> successDomains, CancellationToken cancellationToken)
    {
        if (_remote is null)
        {
            recipients.ForEach(r => Defer(r, "4.4.0", "no remote delivery service is running"));
            message.DeferredDomains.Add(domain);
            return;
        }
        var envelopeRecipients = recipients.Select(r => new EnvelopeRecipient(r.Address, r.Notify, r.OriginalRecipient)).ToList();
        IReadOnlyList<RemoteRecipientResult> results;
        try
        {
            results = await _remote.DeliverAsync(new RemoteDeliveryRequest
            {
                QueueId = message.QueueId,
                Domain = domain,
                Envelope = message.Envelope.ToEnvelope(envelopeRecipients),
                Recipients = envelopeRecipients,
                OpenContentAsync = open,
                Has8BitContent = !string.Equals(message.Envelope.Body, "7BIT", StringComparison.OrdinalIgnoreCase),
            }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _logger.Warning(ex, "Remote delivery of {QueueId} to {Domain} failed", message.QueueId, domain);
            results = [];
        }
        var anyDelivered = false;
        foreach (var recipient in recipients)
        {
            var result = results.FirstOrDefault(r => string.Equals(r.Recipient.Address, recipient.Address, StringComparison.OrdinalIgnoreCase));
            recipient.RemoteHost = result?.RemoteHost;
            switch (result?.Status)
            {
                case RemoteDeliveryStatus.Delivered:
                    recipient.Status = RecipientStatus.Delivered;
                    recipient.EnhancedCode = result.EnhancedCode;
                    recipient.Diagnostic = result.Diagnostic;
                    recipient.Reported = true; // The remote server reports success itself (NOTIFY is passed on).
                    anyDelivered = true;
                    _delivered?.Add(1);
                    _logger.Information("{QueueId} relayed to {Recipient} via {RemoteHost}", message.QueueId, recipient.Address, result.RemoteHost);
                    break;
                case RemoteDeliveryStatus.PermanentFailure:
                    Fail(recipient, result.EnhancedCode, result.Diagnostic);
                    break;
                case RemoteDeliveryStatus.TemporaryFailure:
                    Defer(recipient, result.EnhancedCode, result.Diagnostic);
                    break;
                default:
                    Defer(recipient, "4.4.0", "remote delivery gave no result");
                    break;
            }
        }
        if (anyDelivered)
        {
            successDomains.Add(domain);
        }
        if (recipients.Exists(r => r.Status == RecipientStatus.Pending))
        {
            message.DeferredDomains.Add(domain);
        }
    }

    /// <summary>Counts the attempt, expires recipients past maxRetryCount, sends DSNs, then removes or reschedules the record.</summary>
    private async Task FinishAttemptAsync(QueuedMessage message, MessageContent? content, List<RecipientStatus> before, CancellationToken cancellationToken)
    {
        message.Attempts++;
        var pending = message.Recipients.Where(r => r.Status == RecipientStatus.Pending).ToList();
        if (pending.Count > 0 && message.Attempts >= _options.MaxRetryCount)
        {
            foreach (var recipient in pending)
            {
                var code = recipient.EnhancedCode is { Length: > 0 } c && c[0] is '4' or '5' ? c : "4.4.7";
                recipient.Status = RecipientStatus.Failed;
                recipient.EnhancedCode = code;
                recipient.Diagnostic = $"{recipient.Diagnostic} (gave up after {message.Attempts} attempts)".Trim();
                _failed?.Add(1);
            }
            _logger.Warning("{QueueId} expired after {Attempts} attempts for {Recipients}", message.QueueId, message.Attempts, pending.Select(r => r.Address).ToArray());
            pending.Clear();
        }
        else if (pending.Count > 0)
        {
            _deferred?.Add(pending.Count);
        }

        var reports = new List<DsnReport>();
        for (var i = 0; i < message.Recipients.Count; i++)
        {
            var recipient = message.Recipients[i];
            var wasFinal = i < before.Count && before[i] != RecipientStatus.Pending;
            if (wasFinal || recipient.Reported)
            {
                continue;
            }
            if (recipient.Status == RecipientStatus.Failed)
            {
                recipient.Reported = true;
                if (recipient.WantsNotify("FAILURE"))
                {
                    reports.Add(new DsnReport(recipient, "failed"));
                }
            }
            else if (recipient.Status == RecipientStatus.Delivered)
            {
                recipient.Reported = true;
                if (recipient.WantsNotify("SUCCESS"))
                {
                    reports.Add(new DsnReport(recipient, "delivered"));
                }
            }
        }
        if (reports.Count > 0 && !message.Envelope.IsBounce)
        {
            // The report is queued durably before the failure is recorded, so a crash between can only repeat it.
            await SendDsnAsync(message, content, reports, cancellationToken);
        }

        if (pending.Count == 0)
        {
            await _writer!.RemoveAsync(message.Id, cancellationToken);
            return;
        }
        var delay = RetrySchedule.Delay(message.Attempts, _options.SchedInterval, _options.MaxSchedInterval);
        message.NextAttempt = DateTimeOffset.UtcNow + delay;
        message.Reason = pending[0].Diagnostic;
        await _writer!.UpdateAsync(message, cancellationToken);
        _logger.Information("{QueueId} deferred for {Recipients} ({Reason}); attempt {Attempt} of {MaxRetryCount}, next in {Delay}",
            message.QueueId, pending.Select(r => r.Address).ToArray(), message.Reason, message.Attempts, _options.MaxRetryCount, delay);
    }

    private async Task SendDsnAsync(QueuedMessage message, MessageContent? content, List<DsnReport> reports, CancellationToken cancellationToken)
    {
        try
        {
            var dsn = await DsnBuilder.BuildAsync(_context.ServerName, message, reports, ContentOpener(message, content), _options.DsnFullReturnLimit, cancellationToken);
            var envelope = new StoredEnvelope { MailFrom = "", Source = "dsn", ReceivedAt = DateTimeOffset.UtcNow, Body = "8BITMIME" };
            var id = await QueueGeneratedAsync(envelope, [new EnvelopeRecipient(message.Envelope.MailFrom, ["NEVER"])],
                async (stream, ct) => await dsn.WriteToAsync(FormatOptions.Default, stream, ct), cancellationToken);
            _logger.Information("{QueueId}: delivery report {DsnId} sent to <{MailFrom}> for {Recipients}", message.QueueId, id, message.Envelope.MailFrom,
                reports.Select(r => $"{r.Recipient.Address}={r.Action}").ToArray());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "Could not queue the delivery report for {QueueId}", message.QueueId);
        }
    }

    private void Defer(RecipientState recipient, string enhancedCode, string diagnostic)
    {
        recipient.Status = RecipientStatus.Pending;
        recipient.EnhancedCode = enhancedCode;
        recipient.Diagnostic = diagnostic;
    }

    private void Fail(RecipientState recipient, string enhancedCode, string diagnostic)
    {
        recipient.Status = RecipientStatus.Failed;
        recipient.EnhancedCode = enhancedCode;
        recipient.Diagnostic = diagnostic;
        _failed?.Add(1);
    }

    private void OverQuota(RecipientState recipient)
    {
        if (_options.QuotaExceededIsPermanent)
        {
            Fail(recipient, "5.2.2", "mailbox full");
        }
        else
        {
            Defer(recipient, "4.2.2", "mailbox full");
        }
    }
}
