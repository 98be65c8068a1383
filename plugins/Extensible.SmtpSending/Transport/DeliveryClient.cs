using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace Extensible.SmtpSending.Transport;

/// <summary>MailKit's SMTP client that records each recipient's reply instead of throwing, and passes the envelope's DSN parameters on.</summary>
/// <remarks>One transaction at a time: the pool hands a client to a single sender.</remarks>
internal sealed class DeliveryClient : SmtpClient
{
    private DeliveryTransaction? _transaction;

    /// <summary>Creates a client for a remote host.</summary>
    public DeliveryClient(string remoteHost, string poolKey)
    {
        RemoteHost = remoteHost;
        PoolKey = poolKey;
    }

    /// <summary>The host name connected to.</summary>
    public string RemoteHost { get; }

    /// <summary>The pool key (domain or relay) this connection belongs to.</summary>
    public string PoolKey { get; }

    /// <summary>Messages accepted over this connection.</summary>
    public int MessagesSent { get; set; }

    /// <summary>When the connection last became idle.</summary>
    public DateTimeOffset IdleSince { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>Starts collecting replies for a transaction.</summary>
    public void Begin(DeliveryTransaction transaction)
    {
        _transaction = transaction;
        DeliveryStatusNotificationType = transaction.Request.Envelope.DsnReturn?.ToUpperInvariant() switch
        {
            "FULL" => DeliveryStatusNotificationType.Full,
            "HDRS" => DeliveryStatusNotificationType.HeadersOnly,
            _ => DeliveryStatusNotificationType.Unspecified,
        };
    }

    /// <summary>Stops collecting replies.</summary>
    public void End() => _transaction = null;

    /// <inheritdoc />
    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _transaction?.RecipientAccepted(mailbox);

    /// <inheritdoc />
    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        _transaction?.RecipientRefused(mailbox, response);

    /// <inheritdoc />
    /// <remarks>MailKit encodes the value as xtext itself.</remarks>
    protected override string? GetEnvelopeId(MimeMessage message) =>
        _transaction?.Request.Envelope.DsnEnvelopeId is { Length: > 0 } id ? id : null;

    /// <inheritdoc />
    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox)
    {
        if (_transaction?.Find(mailbox)?.Notify is not { Count: > 0 } notify)
        {
            return null;
        }

        var result = DeliveryStatusNotification.Never;
        foreach (var value in notify)
        {
            result |= value.ToUpperInvariant() switch
            {
                "SUCCESS" => DeliveryStatusNotification.Success,
                "FAILURE" => DeliveryStatusNotification.Failure,
                "DELAY" => DeliveryStatusNotification.Delay,
                _ => DeliveryStatusNotification.Never,
            };
        }

        return result;
    }
}
