using System.Collections.Concurrent;
using Extensible.Sdk.Messages;

namespace Extensible.Smtp.Tests.Support;

/// <summary>Takes every message (or answers with <see cref="Verdict"/>) and keeps envelope and bytes for the test.</summary>
internal sealed class CollectingPipeline : IMessagePipeline
{
    private int _next;

    public ConcurrentQueue<(MessageEnvelope Envelope, byte[] Content)> Submitted { get; } = new();

    public FilterVerdict Verdict { get; set; } = FilterVerdict.Accept;

    public async ValueTask<SubmitResult> SubmitAsync(MessageEnvelope envelope, Stream content, CancellationToken cancellationToken = default)
    {
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        if (Verdict is not FilterVerdict.Accepted)
        {
            return new SubmitResult(Verdict, null);
        }

        Submitted.Enqueue((envelope, copy.ToArray()));
        return new SubmitResult(Verdict, "Q" + Interlocked.Increment(ref _next));
    }
}
