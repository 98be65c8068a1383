using Extensible.Processing.Filtering;
using Extensible.Processing.Queue;
using Extensible.Processing.Spool;
using Extensible.Sdk.Messages;

namespace Extensible.Processing;

public sealed partial class ProcessingEngine
{
    /// <summary>Spools the content, runs the filter chain and, unless refused, commits the message durably before returning its id.</summary>
    public async ValueTask<SubmitResult> SubmitAsync(MessageEnvelope envelope, Stream content, CancellationToken cancellationToken)
    {
        if (!_accepting || _writer is null)
        {
            return new SubmitResult(FilterVerdict.TempFail(451, "4.3.2", "Mail queue not available, try again later"), null);
        }
        if (envelope.Recipients.Count == 0)
        {
            return new SubmitResult(FilterVerdict.Reject(554, "5.5.1", "No valid recipients"), null);
        }
        var id = NextId();
        var queueId = QueueIds.Format(id);
        MessageContent? spooled = null;
        var handedOver = false;
        _inFlight.TryAdd(id, 0);
        try
        {
            spooled = await SpoolAsync(content, id, cancellationToken);
            var size = spooled.Size;

            FilterVerdict verdict;
            List<HeaderEdit> edits;
            var filters = Filters;
            if (filters.Filters.Count == 0)
            {
                verdict = FilterVerdict.Accept;
                edits = [];
            }
            else
            {
                await using var context = new SpooledMessageContext(envelope, spooled, queueId, cancellationToken);
                verdict = await filters.RunAsync(context);
                edits = [.. context.HeaderEdits];
            }

            switch (verdict)
            {
                case FilterVerdict.Rejected or FilterVerdict.TemporarilyFailed:
                    _logger.Information("Message {QueueId} from <{MailFrom}> refused by the filter chain: {Verdict}", queueId, envelope.MailFrom, verdict);
                    return new SubmitResult(verdict, null);
                case FilterVerdict.Discarded discarded:
                    _logger.Information("Message {QueueId} from <{MailFrom}> discarded after acceptance: {Reason}", queueId, envelope.MailFrom, discarded.Reason);
                    return new SubmitResult(verdict, queueId);
            }

            var quarantined = verdict as FilterVerdict.Quarantined;
            var message = NewRecord(id, StoredEnvelope.From(envelope), envelope.Recipients, size, edits);
            if (quarantined is not null)
            {
                message.State = QueueState.Quarantined;
                message.Reason = "quarantined: " + quarantined.Reason;
            }
            await _writer.InsertAsync(message, spooled, cancellationToken);
            _received?.Add(1);
            _logger.Information("Message {QueueId} queued from <{MailFrom}> for {RecipientCount} recipients, {Size} bytes{Quarantine}",
                queueId, envelope.MailFrom, message.Recipients.Count, size, quarantined is null ? "" : " (quarantined)");
            if (quarantined is null && _deliveries!.Writer.TryWrite(new DeliveryItem(message, spooled)))
            {
                handedOver = true;
            }
            return new SubmitResult(verdict, queueId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            _logger.Error(ex, "Could not queue message {QueueId} from <{MailFrom}>", queueId, envelope.MailFrom);
            return new SubmitResult(FilterVerdict.TempFail(451, "4.3.0", "Local error in processing, try again later"), null);
        }
        finally
        {
            if (!handedOver)
            {
                spooled?.Dispose();
                _inFlight.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Queues a message the server generated (a DSN) without running filters; returns its queue id.</summary>
    private async Task<string> QueueGeneratedAsync(StoredEnvelope envelope, IReadOnlyList<EnvelopeRecipient> recipients, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var id = NextId();
        var path = SpoolPath(id) + ".new";
        _inFlight.TryAdd(id, 0);
        MessageContent? spooled = null;
        var handedOver = false;
        try
        {
            await using (var spool = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 65536, FileOptions.Asynchronous))
            {
                await write(spool, cancellationToken);
            }
            // Reports are rare: written to a file first (any size), then taken like a submission.
            await using (var written = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 65536, FileOptions.Asynchronous))
            {
                spooled = await SpoolAsync(written, id, cancellationToken);
            }
            var message = NewRecord(id, envelope, recipients, spooled.Size, []);
            await _writer!.InsertAsync(message, spooled, cancellationToken);
            _received?.Add(1);
            handedOver = _deliveries!.Writer.TryWrite(new DeliveryItem(message, spooled));
            return message.QueueId;
        }
        finally
        {
            if (!handedOver)
            {
                spooled?.Dispose();
                _inFlight.TryRemove(id, out _);
            }
            File.Delete(path);
        }
    }

    private static QueuedMessage NewRecord(long id, StoredEnvelope envelope, IReadOnlyList<EnvelopeRecipient> recipients, long size, List<HeaderEdit> edits) => new()
    {
        Id = id,
        Envelope = envelope,
        Recipients = [.. recipients.Select(r => new RecipientState
        {
            Address = r.Address,
            Notify = r.Notify is null ? null : [.. r.Notify],
            OriginalRecipient = r.OriginalRecipient,
        })],
        HeaderEdits = edits,
        Size = size,
        State = QueueState.Active,
        NextAttempt = envelope.ReceivedAt,
    };
}
