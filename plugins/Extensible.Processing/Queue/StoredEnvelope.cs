using System.Net;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Users;

namespace Extensible.Processing.Queue;

/// <summary>The parts of a <see cref="MessageEnvelope"/> the queue keeps on disk (recipients live in <see cref="RecipientState"/>).</summary>
public sealed class StoredEnvelope
{
    public string MailFrom { get; set; } = "";
    public string Source { get; set; } = "smtp";
    public string? ClientAddress { get; set; }
    public string? HeloName { get; set; }
    public string? AuthenticatedId { get; set; }
    public string? AuthenticatedAddress { get; set; }
    public bool Secure { get; set; }
    public string Body { get; set; } = "7BIT";
    public bool SmtpUtf8 { get; set; }
    public string? DsnReturn { get; set; }
    public string? DsnEnvelopeId { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>True when the message is itself a delivery report (null sender or generated DSN): never bounced.</summary>
    public bool IsBounce => MailFrom.Length == 0 || Source == "dsn";

    /// <summary>Copies what the queue keeps from an envelope.</summary>
    public static StoredEnvelope From(MessageEnvelope envelope) => new()
    {
        MailFrom = envelope.MailFrom,
        Source = envelope.Source,
        ClientAddress = envelope.ClientAddress?.ToString(),
        HeloName = envelope.HeloName,
        AuthenticatedId = envelope.AuthenticatedUser?.Id,
        AuthenticatedAddress = envelope.AuthenticatedUser?.Address,
        Secure = envelope.Secure,
        Body = envelope.Body,
        SmtpUtf8 = envelope.SmtpUtf8,
        DsnReturn = envelope.DsnReturn,
        DsnEnvelopeId = envelope.DsnEnvelopeId,
        ReceivedAt = envelope.ReceivedAt,
    };

    /// <summary>Rebuilds an envelope for the given recipients.</summary>
    public MessageEnvelope ToEnvelope(IReadOnlyList<EnvelopeRecipient> recipients) => new()
    {
        MailFrom = MailFrom,
        Recipients = recipients,
        Source = Source,
        ClientAddress = ClientAddress is not null && IPAddress.TryParse(ClientAddress, out var ip) ? ip : null,
        HeloName = HeloName,
        AuthenticatedUser = AuthenticatedId is not null && AuthenticatedAddress is not null
            ? new MailUser(AuthenticatedId, AuthenticatedAddress, null, [], StorageQuota.Unlimited)
            : null,
        Secure = Secure,
        Body = Body,
        SmtpUtf8 = SmtpUtf8,
        DsnReturn = DsnReturn,
        DsnEnvelopeId = DsnEnvelopeId,
        ReceivedAt = ReceivedAt,
    };
}
