namespace Extensible.Sdk.Connections;

/// <summary>Serves one protocol on a service's listeners; the returned task is the connection's lifetime.</summary>
public abstract class MailConnectionHandler
{
    /// <summary>Runs the protocol on an accepted connection; the host closes the transport when the task ends.</summary>
    public abstract Task OnConnectedAsync(MailConnectionContext connection);

    /// <summary>The line the host writes before closing a connection it refuses (SMTP <c>421</c>, POP3 <c>-ERR</c>, IMAP <c>* BYE</c>), CRLF included; null to close silently.</summary>
    public virtual string? FormatRefusal(RefusalReason reason, string serverName) => null;
}
