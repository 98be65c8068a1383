namespace Extensible.Imap.Protocol;

/// <summary>Thrown when a command does not follow the grammar; the session answers with a tagged BAD.</summary>
internal sealed class ImapParseException(string message, string? responseCode = null) : Exception(message)
{
    /// <summary>A response code for the BAD reply (without brackets), or null.</summary>
    public string? ResponseCode { get; } = responseCode;
}
