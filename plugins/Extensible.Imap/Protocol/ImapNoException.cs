namespace Extensible.Imap.Protocol;

/// <summary>Thrown by a command handler that wants a tagged NO with an optional response code.</summary>
internal sealed class ImapNoException(string message, string? responseCode = null) : Exception(message)
{
    /// <summary>A response code for the NO reply (without brackets), or null.</summary>
    public string? ResponseCode { get; } = responseCode;
}
