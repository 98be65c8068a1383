using Extensible.Sdk.Messages;
using MailKit.Net.Smtp;
using MimeKit;

namespace Extensible.SmtpSending.Transport;

/// <summary>One MAIL transaction: the envelope being sent and the per-recipient replies collected so far.</summary>
internal sealed class DeliveryTransaction(RemoteDeliveryRequest request, string remoteHost)
{
    private readonly Dictionary<string, EnvelopeRecipient> _byAddress = request.Recipients
        .GroupBy(r => r.Address, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<EnvelopeRecipient, RemoteRecipientResult> _results = [];
    private readonly List<EnvelopeRecipient> _accepted = [];

    /// <summary>The request being delivered.</summary>
    public RemoteDeliveryRequest Request { get; } = request;

    /// <summary>The host that answers.</summary>
    public string RemoteHost { get; } = remoteHost;

    /// <summary>True once the peer answered any RCPT, so the attempt must not move to another host.</summary>
    public bool PeerAnswered { get; private set; }

    /// <summary>Recipients the peer accepted at RCPT time.</summary>
    public IReadOnlyList<EnvelopeRecipient> Accepted => _accepted;

    /// <summary>The recipient for a mailbox MailKit reports, or null.</summary>
    public EnvelopeRecipient? Find(MailboxAddress mailbox) => _byAddress.GetValueOrDefault(mailbox.Address);

    /// <summary>Records an accepted RCPT.</summary>
    public void RecipientAccepted(MailboxAddress mailbox)
    {
        PeerAnswered = true;
        if (Find(mailbox) is { } recipient)
        {
            _accepted.Add(recipient);
        }
    }

    /// <summary>Records a refused RCPT with the peer's reply.</summary>
    public void RecipientRefused(MailboxAddress mailbox, SmtpResponse response)
    {
        PeerAnswered = true;
        if (Find(mailbox) is { } recipient)
        {
            SetResult(recipient, (int)response.StatusCode, response.Response);
        }
    }

    /// <summary>Sets a recipient's result from an SMTP reply code and text, unless it already has one.</summary>
    public void SetResult(EnvelopeRecipient recipient, int code, string text)
    {
        if (!_results.ContainsKey(recipient))
        {
            _results[recipient] = SmtpReply.ToResult(recipient, code, text, RemoteHost);
        }
    }

    /// <summary>Sets a recipient's result directly, unless it already has one.</summary>
    public void SetResult(RemoteRecipientResult result) => _results.TryAdd(result.Recipient, result);

    /// <summary>Gives every recipient still without a result the reply code and text.</summary>
    public void SetRemaining(int code, string text)
    {
        foreach (var recipient in Request.Recipients)
        {
            SetResult(recipient, code, text);
        }
    }

    /// <summary>Gives every recipient still without a result this outcome.</summary>
    public void SetRemaining(RemoteDeliveryStatus status, string enhancedCode, string diagnostic)
    {
        foreach (var recipient in Request.Recipients)
        {
            _results.TryAdd(recipient, new RemoteRecipientResult(recipient, status, diagnostic, RemoteHost, enhancedCode));
        }
    }

    /// <summary>True when the recipient has a result.</summary>
    public bool HasResult(EnvelopeRecipient recipient) => _results.ContainsKey(recipient);

    /// <summary>The results in request order; recipients without one get <paramref name="fallback"/>.</summary>
    public IReadOnlyList<RemoteRecipientResult> Results(Func<EnvelopeRecipient, RemoteRecipientResult> fallback) =>
        [.. Request.Recipients.Select(r => _results.TryGetValue(r, out var result) ? result : fallback(r))];
}
