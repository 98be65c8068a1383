using System.Net;
using System.Text;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Users;
using MimeKit;

namespace Extensible.Processing.Tests.Filters.Support;

/// <summary>A message as the filter chain sees it, recording the header edits filters make.</summary>
public sealed class FilterTestMessage : MessageContext, IDisposable
{
    private readonly MemoryStream _content;
    private MimeMessage? _mime;

    public FilterTestMessage(byte[] content, string mailFrom = "sender@sender.test", IPAddress? client = null, string? helo = "client.sender.test", MailUser? user = null)
    {
        _content = new MemoryStream(content, writable: false);
        Envelope = new MessageEnvelope
        {
            MailFrom = mailFrom,
            Recipients = [new EnvelopeRecipient("bob@example.test")],
            Source = "smtp",
            ClientAddress = client ?? IPAddress.Loopback,
            HeloName = helo,
            AuthenticatedUser = user,
        };
    }

    public override MessageEnvelope Envelope { get; }

    public override Stream Content => _content;

    public override string QueueId { get; } = "T" + Guid.NewGuid().ToString("N")[..8];

    public override IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>();

    public override CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Headers prepended, in call order.</summary>
    public List<(string Name, string Value)> Prepended { get; } = [];

    /// <summary>Whether the rest of the chain ran.</summary>
    public bool PassedOn { get; private set; }

    /// <summary>The value of the first prepended header of that name, or null.</summary>
    public string? Header(string name) => Prepended.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The rest of the chain: records that it ran and accepts.</summary>
    public ValueTask<FilterVerdict> Next(MessageContext message)
    {
        PassedOn = true;
        return ValueTask.FromResult(FilterVerdict.Accept);
    }

    /// <summary>The message as delivered: prepended headers (last first, as each goes on top) over the original.</summary>
    public byte[] Delivered()
    {
        var top = new StringBuilder();
        foreach (var (name, value) in Enumerable.Reverse(Prepended))
        {
            top.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return [.. Encoding.UTF8.GetBytes(top.ToString()), .. _content.ToArray()];
    }

    public override async ValueTask<MimeMessage> GetMimeMessageAsync(CancellationToken cancellationToken = default)
    {
        _content.Position = 0;
        return _mime ??= await MimeMessage.LoadAsync(_content, cancellationToken);
    }

    public override void PrependHeader(string name, string value) => Prepended.Add((name, value));

    public override void RemoveHeader(string name) => Prepended.RemoveAll(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    public void Dispose()
    {
        _mime?.Dispose();
        _content.Dispose();
    }
}
