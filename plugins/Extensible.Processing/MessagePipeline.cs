using System.Composition;
using Extensible.Sdk.Messages;

namespace Extensible.Processing;

/// <summary>The server's <see cref="IMessagePipeline"/>: filter chain, then the durable queue.</summary>
[Export(typeof(IMessagePipeline))]
[method: ImportingConstructor]
public sealed class MessagePipeline(ProcessingEngine engine) : IMessagePipeline
{
    public ValueTask<SubmitResult> SubmitAsync(MessageEnvelope envelope, Stream content, CancellationToken cancellationToken = default) =>
        engine.SubmitAsync(envelope, content, cancellationToken);
}
