using Extensible.Sdk.Messages;

namespace Extensible.SmtpReceiving.Session;

/// <summary>One mail transaction: MAIL FROM, its parameters, and the accepted recipients.</summary>
internal sealed class SmtpTransaction(string mailFrom)
{
    public string MailFrom { get; } = mailFrom;

    public string Body { get; init; } = "7BIT";

    public bool SmtpUtf8 { get; init; }

    public string? DsnReturn { get; init; }

    public string? DsnEnvelopeId { get; init; }

    public long DeclaredSize { get; init; }

    public List<EnvelopeRecipient> Recipients { get; } = [];

    /// <summary>True once a BDAT chunk was taken, so DATA is no longer allowed.</summary>
    public bool ChunkingStarted { get; set; }

    /// <summary>True when a BDAT chunk failed; later chunks are read and dropped until LAST or RSET.</summary>
    public bool ChunkingFailed { get; set; }

    public bool HasRecipient(string address)
    {
        foreach (var recipient in Recipients)
        {
            if (string.Equals(recipient.Address, address, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
