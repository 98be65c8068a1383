using Extensible.Sdk.Messages;

namespace Extensible.Bench.Smtp;

/// <summary>Reads each message to its end and drops it: the protocol-only sink.</summary>
internal sealed class DiscardingPipeline : IMessagePipeline
{
    private long _next;

    public async ValueTask<SubmitResult> SubmitAsync(MessageEnvelope envelope, Stream content, CancellationToken cancellationToken = default)
    {
        await content.CopyToAsync(Stream.Null, cancellationToken);
        return new SubmitResult(FilterVerdict.Accept, "S" + Interlocked.Increment(ref _next));
    }
}
