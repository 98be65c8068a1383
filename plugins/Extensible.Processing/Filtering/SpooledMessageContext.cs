using Extensible.Processing.Queue;
using Extensible.Processing.Spool;
using Extensible.Sdk.Messages;
using MimeKit;

namespace Extensible.Processing.Filtering;

/// <summary>The filter chain's view of a spooled message (in memory or in a file); header edits are recorded, not applied.</summary>
public sealed class SpooledMessageContext : MessageContext, IAsyncDisposable
{
    private readonly MessageContent _source;
    private readonly List<HeaderEdit> _edits = [];
    private Stream? _content;
    private Stream? _mimeSource;
    private MimeMessage? _mime;

    public SpooledMessageContext(MessageEnvelope envelope, MessageContent content, string queueId, CancellationToken cancellation)
    {
        Envelope = envelope;
        _source = content;
        QueueId = queueId;
        Cancellation = cancellation;
    }

    public override MessageEnvelope Envelope { get; }

    /// <summary>Opened on first use, so a chain without content filters never opens it.</summary>
    public override Stream Content => _content ??= _source.OpenRead();

    public override string QueueId { get; }

    public override IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>();

    public override CancellationToken Cancellation { get; }

    /// <summary>The header changes filters asked for, in call order.</summary>
    public IReadOnlyList<HeaderEdit> HeaderEdits => _edits;

    public override async ValueTask<MimeMessage> GetMimeMessageAsync(CancellationToken cancellationToken = default)
    {
        if (_mime is null)
        {
            // A stream of its own, so a filter moving Content does not disturb parts MimeKit reads lazily.
            _mimeSource = _source.OpenRead();
            _mime = await MimeMessage.LoadAsync(_mimeSource, persistent: true, cancellationToken);
        }
        return _mime;
    }

    public override void PrependHeader(string name, string value)
    {
        HeaderNames.Validate(name);
        ArgumentNullException.ThrowIfNull(value);
        _edits.Add(new HeaderEdit(name, HeaderNames.Unfold(value)));
    }

    public override void RemoveHeader(string name)
    {
        HeaderNames.Validate(name);
        _edits.Add(new HeaderEdit(name, null));
    }

    public async ValueTask DisposeAsync()
    {
        _mime?.Dispose();
        if (_mimeSource is not null)
        {
            await _mimeSource.DisposeAsync();
        }
        if (_content is not null)
        {
            await _content.DisposeAsync();
        }
    }
}
