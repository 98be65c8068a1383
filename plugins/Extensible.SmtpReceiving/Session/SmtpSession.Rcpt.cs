using Extensible.Sdk.Messages;
using Extensible.Sdk.Users;
using Extensible.SmtpReceiving.Protocol;

namespace Extensible.SmtpReceiving.Session;

internal sealed partial class SmtpSession
{
    private async ValueTask RcptAsync(string args)
    {
        var transaction = _transaction;
        if (transaction is null)
        {
            Error("503 5.5.1 Error: need MAIL command");
            return;
        }

        if (!args.StartsWith("TO:", StringComparison.OrdinalIgnoreCase))
        {
            Error("501 5.5.4 Syntax: RCPT TO:<address>");
            return;
        }

        var rest = args.AsSpan(3).TrimStart(' ').ToString();
        var status = MailPath.TryParse(rest, transaction.SmtpUtf8, out var address, out var end);
        if (status == PathStatus.Unqualified && IsPostmaster(rest))
        {
            address = "postmaster@" + _services.PrimaryDomain;
            status = PathStatus.Ok;
        }

        switch (status)
        {
            case PathStatus.Null or PathStatus.Syntax:
                Error("501 5.1.3 Bad recipient address syntax");
                return;
            case PathStatus.Unqualified:
                Error("501 5.1.3 Recipient address must be fully qualified (user@domain)");
                return;
            case PathStatus.NonAscii:
                Error("553 5.6.7 Non-ASCII recipient address needs SMTPUTF8");
                return;
        }

        List<string>? notify = null;
        string? originalRecipient = null;
        foreach (var token in rest[end..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? token : token[..equals];
            var value = equals < 0 ? null : token[(equals + 1)..];
            if (!_esmtp)
            {
                Error("555 5.5.4 RCPT parameters need EHLO");
                return;
            }

            if (key.Equals("NOTIFY", StringComparison.OrdinalIgnoreCase) && value is not null && ParseNotify(value) is { } parsed)
            {
                notify = parsed;
            }
            else if (key.Equals("ORCPT", StringComparison.OrdinalIgnoreCase) && value is not null && value.Length <= 500
                     && value.IndexOf(';', StringComparison.Ordinal) > 0 && XText.IsValid(value))
            {
                originalRecipient = value;
            }
            else
            {
                Error($"555 5.5.4 Unsupported or malformed RCPT parameter {key}");
                return;
            }
        }

        if (transaction.Recipients.Count >= _options.MaxRecipients)
        {
            Reply("452 4.5.3 Error: too many recipients");
            return;
        }

        var resolution = await _services.Users.ResolveRecipientAsync(address, Closed);
        switch (resolution)
        {
            case RecipientResolution.UnknownUser:
                Error($"550 5.1.1 <{address}>: Recipient address rejected: User unknown in local recipient table");
                return;
            case RecipientResolution.Remote when !RelayAllowed:
                _connection.Logger.Information("Relay denied for {Recipient}", address);
                Error($"554 5.7.1 <{address}>: Relay access denied");
                return;
        }

        if (!await RunHooksAsync((hook, info) => hook.OnRcptToAsync(info, address, Closed)))
        {
            return;
        }

        if (!transaction.HasRecipient(address))
        {
            transaction.Recipients.Add(new EnvelopeRecipient(address, notify, originalRecipient));
        }

        Reply("250 2.1.5 Ok\r\n"u8);
    }

    private static bool IsPostmaster(string path) =>
        path.StartsWith("<postmaster>", StringComparison.OrdinalIgnoreCase)
        && (path.Length == 12 || path[12] == ' ');

    private static List<string>? ParseNotify(string value)
    {
        var parts = value.ToUpperInvariant().Split(',');
        if (parts.Length == 1 && parts[0] == "NEVER")
        {
            return ["NEVER"];
        }

        var result = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (part is not ("SUCCESS" or "FAILURE" or "DELAY") || result.Contains(part))
            {
                return null;
            }

            result.Add(part);
        }

        return result;
    }
}
