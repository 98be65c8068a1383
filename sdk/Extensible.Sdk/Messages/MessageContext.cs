using MimeKit;

namespace Extensible.Sdk.Messages;

/// <summary>A message travelling through the filter chain; the content is owned by the pipeline and read-only.</summary>
public abstract class MessageContext
{
    /// <summary>The envelope.</summary>
    public abstract MessageEnvelope Envelope { get; }

    /// <summary>The message as received, seekable; rewind it before reading, never dispose it.</summary>
    public abstract Stream Content { get; }

    /// <summary>The queue id, stable for the message's life in the server.</summary>
    public abstract string QueueId { get; }

    /// <summary>The message parsed once by MimeKit (headers and structure; parts stay on disk).</summary>
    public abstract ValueTask<MimeMessage> GetMimeMessageAsync(CancellationToken cancellationToken = default);

    /// <summary>Adds a header at the top of the message as delivered (for example Authentication-Results).</summary>
    public abstract void PrependHeader(string name, string value);

    /// <summary>Removes every header of that name from the message as delivered.</summary>
    public abstract void RemoveHeader(string name);

    /// <summary>State filters share for this message.</summary>
    public abstract IDictionary<string, object?> Items { get; }

    /// <summary>Cancelled when the submitter gives up or the server stops.</summary>
    public abstract CancellationToken Cancellation { get; }
}
