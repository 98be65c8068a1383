namespace Extensible.Sdk.Messages;

/// <summary>Where every inbound message goes (SMTP, WebMail, RPOP): the filter chain, then the durable queue.</summary>
public interface IMessagePipeline
{
    /// <summary>Runs the filter chain and, unless it refuses, stores the message durably in the queue before returning.</summary>
    /// <remarks>The content is read once from its current position to its end; the caller keeps ownership of the stream.</remarks>
    ValueTask<SubmitResult> SubmitAsync(MessageEnvelope envelope, Stream content, CancellationToken cancellationToken = default);
}

/// <summary>The outcome of a submission.</summary>
/// <param name="Verdict">The filter chain's verdict; anything but accepted, quarantined or discarded means nothing was queued.</param>
/// <param name="QueueId">The queue id when the message was taken, else null.</param>
public sealed record SubmitResult(FilterVerdict Verdict, string? QueueId)
{
    /// <summary>True when the server took responsibility for the message (250 may be sent).</summary>
    public bool Taken => QueueId is not null;
}
