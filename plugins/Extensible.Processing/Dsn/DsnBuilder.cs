using System.Globalization;
using System.Text;
using Extensible.Processing.Queue;
using MimeKit;
using MimeKit.Utils;

namespace Extensible.Processing.Dsn;

/// <summary>Builds RFC 3464 delivery status notifications (multipart/report) for a queued message.</summary>
public static class DsnBuilder
{
    /// <summary>Largest original returned whole even when RET=FULL asks for it; beyond it only headers go back.</summary>
    public const long HardFullReturnLimit = 10 * 1024 * 1024;

    /// <summary>Builds the notification to the original sender; the original comes from <paramref name="openOriginal"/>.</summary>
    public static async Task<MimeMessage> BuildAsync(
        string serverName,
        QueuedMessage original,
        IReadOnlyList<DsnReport> reports,
        Func<CancellationToken, ValueTask<Stream>> openOriginal,
        long fullReturnLimit,
        CancellationToken cancellationToken)
    {
        var failed = reports.Any(r => r.Action == "failed");
        var envelope = original.Envelope;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@" + serverName));
        message.To.Add(new MailboxAddress(string.Empty, envelope.MailFrom));
        message.Subject = failed ? "Delivery Status Notification (Failure)" : "Delivery Status Notification (Success)";
        message.Date = DateTimeOffset.UtcNow;
        message.MessageId = MimeUtils.GenerateMessageId(serverName);
        message.Headers.Add("Auto-Submitted", "auto-replied");

        var report = new MultipartReport("delivery-status");
        report.Add(new TextPart("plain") { Text = HumanText(serverName, original, reports) });

        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList { { "Reporting-MTA", "dns; " + serverName } };
        if (!string.IsNullOrEmpty(envelope.DsnEnvelopeId))
        {
            perMessage.Add("Original-Envelope-Id", envelope.DsnEnvelopeId);
        }
        perMessage.Add("Arrival-Date", DateUtils.FormatDate(envelope.ReceivedAt));
        status.StatusGroups.Add(perMessage);
        foreach (var (recipient, action) in reports)
        {
            var group = new HeaderList();
            if (!string.IsNullOrEmpty(recipient.OriginalRecipient))
            {
                group.Add("Original-Recipient", FormatTyped(recipient.OriginalRecipient));
            }
            group.Add("Final-Recipient", "rfc822; " + recipient.Address);
            group.Add("Action", action);
            group.Add("Status", recipient.EnhancedCode ?? (action == "failed" ? "5.0.0" : "2.0.0"));
            if (recipient.RemoteHost is not null)
            {
                group.Add("Remote-MTA", "dns; " + recipient.RemoteHost);
            }
            if (!string.IsNullOrEmpty(recipient.Diagnostic))
            {
                group.Add("Diagnostic-Code", FormatTyped(Filtering.HeaderNames.Unfold(recipient.Diagnostic), "smtp"));
            }
            group.Add("Last-Attempt-Date", DateUtils.FormatDate(DateTimeOffset.UtcNow));
            status.StatusGroups.Add(group);
        }
        report.Add(status);

        var wantsFull = failed && !string.Equals(envelope.DsnReturn, "HDRS", StringComparison.OrdinalIgnoreCase)
            && original.Size <= (string.Equals(envelope.DsnReturn, "FULL", StringComparison.OrdinalIgnoreCase) ? HardFullReturnLimit : fullReturnLimit);
        await using (var content = await openOriginal(cancellationToken))
        {
            if (wantsFull)
            {
                report.Add(new MessagePart("rfc822") { Message = await MimeMessage.LoadAsync(content, cancellationToken) });
            }
            else
            {
                var headers = await HeaderList.LoadAsync(ParserOptions.Default, content, cancellationToken);
                var copy = new MimeMessage();
                copy.Headers.Clear();
                foreach (var header in headers)
                {
                    copy.Headers.Add(header);
                }
                report.Add(new TextRfc822Headers { Message = copy });
            }
        }
        message.Body = report;
        return message;
    }

    private static string HumanText(string serverName, QueuedMessage original, IReadOnlyList<DsnReport> reports)
    {
        var text = new StringBuilder();
        text.Append("This is the mail system at host ").Append(serverName).Append(".\r\n\r\n");
        text.Append(reports.Any(r => r.Action == "failed")
            ? "Your message could not be delivered to one or more recipients. It is attached below.\r\n\r\n"
            : "Your message was delivered to the following recipients.\r\n\r\n");
        foreach (var (recipient, action) in reports)
        {
            text.Append(CultureInfo.InvariantCulture, $"<{recipient.Address}>: {action}");
            if (!string.IsNullOrEmpty(recipient.Diagnostic))
            {
                text.Append(": ").Append(recipient.Diagnostic);
            }
            text.Append("\r\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"\r\nQueue id: {original.QueueId}\r\n");
        return text.ToString();
    }

    /// <summary>Formats <c>type;value</c> as <c>type; value</c>; a value without a type gets <paramref name="defaultType"/>.</summary>
    private static string FormatTyped(string value, string defaultType = "rfc822")
    {
        var semicolon = value.IndexOf(';', StringComparison.Ordinal);
        if (semicolon > 0 && value[..semicolon].All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return value[..semicolon] + "; " + value[(semicolon + 1)..].Trim();
        }
        return defaultType + "; " + value;
    }
}
