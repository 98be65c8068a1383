using System.Net.Sockets;
using Extensible.Sdk.Messages;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Extensible.SmtpSending.Transport;

/// <summary>Runs one MAIL transaction over an open connection and turns the replies into per-recipient results.</summary>
/// <remarks>
/// MailKit prepares the message for the peer: with 8BITMIME (or BINARYMIME) 8-bit parts pass unchanged with BODY=8BITMIME;
/// without it they are re-encoded to quoted-printable or base64 (the 8-bit downgrade). The message is parsed with
/// persistent parts, so bodies stream from the queue file and are never held in memory.
/// </remarks>
internal sealed class MessageSender(Serilog.ILogger logger, string spoolDirectory)
{
    /// <summary>Sends the request's message to its recipients over the client.</summary>
    public async Task<SendOutcome> SendAsync(DeliveryClient client, RemoteDeliveryRequest request, CancellationToken cancellationToken)
    {
        var transaction = new DeliveryTransaction(request, client.RemoteHost);
        var envelope = request.Envelope;
        var peerUtf8 = (client.Capabilities & SmtpCapabilities.UTF8) != 0;

        if (!TryMailbox(envelope.MailFrom, out var sender))
        {
            transaction.SetRemaining(RemoteDeliveryStatus.PermanentFailure, "5.1.7", $"local; bad sender address syntax <{envelope.MailFrom}>");
            return Finish(transaction, reusable: true);
        }

        if (!peerUtf8 && NeedsSmtpUtf8(envelope.MailFrom))
        {
            transaction.SetRemaining(RemoteDeliveryStatus.PermanentFailure, "5.6.7", "local; the sender address needs SMTPUTF8, which the peer does not offer");
            return Finish(transaction, reusable: true);
        }

        var mailboxes = new List<MailboxAddress>();
        foreach (var recipient in request.Recipients)
        {
            if (!TryMailbox(recipient.Address, out var mailbox) || recipient.Address.Length == 0)
            {
                transaction.SetResult(new RemoteRecipientResult(recipient, RemoteDeliveryStatus.PermanentFailure, $"local; bad recipient address syntax <{recipient.Address}>", null, "5.1.3"));
            }
            else if (!peerUtf8 && NeedsSmtpUtf8(recipient.Address))
            {
                transaction.SetResult(new RemoteRecipientResult(recipient, RemoteDeliveryStatus.PermanentFailure, "local; the recipient address needs SMTPUTF8, which the peer does not offer", client.RemoteHost, "5.6.7"));
            }
            else
            {
                mailboxes.Add(mailbox);
            }
        }

        if (mailboxes.Count == 0)
        {
            return Finish(transaction, reusable: true);
        }

        Stream? content = null;
        try
        {
            MimeMessage message;
            try
            {
                content = await OpenSeekableAsync(request, spoolDirectory, cancellationToken);
                message = await MimeMessage.LoadAsync(content, persistent: true, cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.Warning(ex, "{QueueId} could not read the queued message", request.QueueId);
                transaction.SetRemaining(RemoteDeliveryStatus.TemporaryFailure, "4.3.0", $"local; cannot read the queued message: {ex.Message}");
                return Finish(transaction, reusable: true);
            }
            catch (FormatException ex)
            {
                transaction.SetRemaining(RemoteDeliveryStatus.PermanentFailure, "5.6.0", $"local; the message cannot be parsed: {ex.Message}");
                return Finish(transaction, reusable: true);
            }

            var format = FormatOptions.Default.Clone();
            format.International = envelope.SmtpUtf8 && peerUtf8;
            client.Begin(transaction);
            var reply = await client.SendAsync(format, message, sender, mailboxes, cancellationToken);
            foreach (var recipient in transaction.Accepted)
            {
                transaction.SetResult(recipient, 250, reply);
            }

            client.MessagesSent++;
            return Finish(transaction, reusable: true);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            if (code == 421 && !transaction.PeerAnswered)
            {
                return new SendOutcome([], Reusable: false, TryElsewhere: true, Error: $"{client.RemoteHost}: 421 {ex.Message}");
            }

            if (ex.ErrorCode == SmtpErrorCode.MessageNotAccepted)
            {
                foreach (var recipient in transaction.Accepted)
                {
                    transaction.SetResult(recipient, code, ex.Message);
                }
            }

            transaction.SetRemaining(code, ex.Message);
            return Finish(transaction, reusable: client.IsConnected && code != 421);
        }
        catch (ServiceNotAuthenticatedException ex)
        {
            transaction.SetRemaining(RemoteDeliveryStatus.TemporaryFailure, "4.7.0", $"smtp; 530 authentication required: {ex.Message}");
            return Finish(transaction, reusable: false);
        }
        catch (NotSupportedException ex)
        {
            transaction.SetRemaining(RemoteDeliveryStatus.PermanentFailure, "5.6.7", $"local; the peer cannot take this message: {ex.Message}");
            return Finish(transaction, reusable: client.IsConnected);
        }
        catch (Exception ex) when (IsConnectionFailure(ex, cancellationToken))
        {
            if (!transaction.PeerAnswered)
            {
                return new SendOutcome([], Reusable: false, TryElsewhere: true, Error: $"{client.RemoteHost}: {ex.Message}");
            }

            transaction.SetRemaining(RemoteDeliveryStatus.TemporaryFailure, "4.4.2", $"smtp; connection to {client.RemoteHost} lost: {ex.Message}");
            return Finish(transaction, reusable: false);
        }
        finally
        {
            client.End();
            if (content is not null)
            {
                await content.DisposeAsync();
            }
        }
    }

    private static SendOutcome Finish(DeliveryTransaction transaction, bool reusable) =>
        new(transaction.Results(r => new RemoteRecipientResult(r, RemoteDeliveryStatus.TemporaryFailure, "local; no reply for this recipient", transaction.RemoteHost, "4.4.2")), reusable);

    private static bool IsConnectionFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException or SocketException or TimeoutException or SmtpProtocolException or ServiceNotConnectedException or SslHandshakeException or ObjectDisposedException => true,
        _ => false,
    };

    private static bool TryMailbox(string address, out MailboxAddress mailbox)
    {
        try
        {
            mailbox = new MailboxAddress(string.Empty, address);
            return true;
        }
        catch (Exception ex) when (ex is ParseException or ArgumentException)
        {
            mailbox = null!;
            return false;
        }
    }

    /// <summary>True when the local part has non-ASCII characters (a non-ASCII domain can be sent as A-labels).</summary>
    private static bool NeedsSmtpUtf8(string address)
    {
        var at = address.LastIndexOf('@');
        var local = at < 0 ? address : address[..at];
        return local.Any(c => c > 127);
    }

    /// <summary>Opens the content; a stream that cannot seek is spooled to a file in the plugin's folder that deletes itself.</summary>
    private static async Task<Stream> OpenSeekableAsync(RemoteDeliveryRequest request, string spoolDirectory, CancellationToken cancellationToken)
    {
        var stream = await request.OpenContentAsync(cancellationToken);
        if (stream.CanSeek)
        {
            return stream;
        }

        await using (stream)
        {
            Directory.CreateDirectory(spoolDirectory);
            var path = Path.Combine(spoolDirectory, $"{Guid.NewGuid():N}.eml");
            var spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            try
            {
                await stream.CopyToAsync(spool, cancellationToken);
                spool.Position = 0;
                return spool;
            }
            catch
            {
                await spool.DisposeAsync();
                throw;
            }
        }
    }
}
