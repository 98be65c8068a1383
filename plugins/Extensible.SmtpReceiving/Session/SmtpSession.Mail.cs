using Extensible.SmtpReceiving.Protocol;

namespace Extensible.SmtpReceiving.Session;

internal sealed partial class SmtpSession
{
    private async ValueTask MailAsync(string args)
    {
        if (_heloName is null)
        {
            Error("503 5.5.1 Error: send HELO/EHLO first");
            return;
        }

        if (_transaction is not null)
        {
            Error("503 5.5.1 Error: nested MAIL command");
            return;
        }

        if (_listener.RequireAuth && _user is null)
        {
            Error("530 5.7.0 Authentication required");
            return;
        }

        if (!args.StartsWith("FROM:", StringComparison.OrdinalIgnoreCase))
        {
            Error("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }

        var rest = args.AsSpan(5).TrimStart(' ').ToString();
        var parameters = rest;
        var smtpUtf8 = false;
        var closeIndex = rest.IndexOf('>', StringComparison.Ordinal);
        if (closeIndex >= 0)
        {
            parameters = rest[(closeIndex + 1)..];
        }

        // SMTPUTF8 decides whether the path may hold UTF-8, so look for it first.
        foreach (var token in parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            smtpUtf8 |= token.Equals("SMTPUTF8", StringComparison.OrdinalIgnoreCase);
        }

        var status = MailPath.TryParse(rest, smtpUtf8 && _esmtp, out var address, out var end);
        switch (status)
        {
            case PathStatus.Syntax or PathStatus.Unqualified:
                Error("501 5.1.7 Bad sender address syntax");
                return;
            case PathStatus.NonAscii:
                Error("553 5.6.7 Non-ASCII sender address needs SMTPUTF8");
                return;
        }

        if (_user is not null && _options.RestrictSenderToAccount && address.Length > 0 && !await OwnsAddressAsync(_user, address))
        {
            Error("553 5.7.1 Sender address rejected: not owned by the authenticated user");
            return;
        }

        var body = "7BIT";
        long size = 0;
        string? ret = null;
        string? envelopeId = null;
        foreach (var token in rest[end..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!_esmtp)
            {
                Error("555 5.5.4 MAIL parameters need EHLO");
                return;
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? token : token[..equals];
            var value = equals < 0 ? null : token[(equals + 1)..];
            switch (key.ToUpperInvariant())
            {
                case "SIZE" when value is not null && long.TryParse(value, System.Globalization.NumberStyles.None, null, out size):
                    if (size > _options.MaxMessageSize)
                    {
                        Error("552 5.3.4 Message size exceeds fixed maximum message size");
                        return;
                    }

                    break;
                case "BODY" when value is not null && (value.Equals("7BIT", StringComparison.OrdinalIgnoreCase) || value.Equals("8BITMIME", StringComparison.OrdinalIgnoreCase)):
                    body = value.ToUpperInvariant();
                    break;
                case "SMTPUTF8" when value is null:
                    break;
                case "RET" when value is not null && (value.Equals("FULL", StringComparison.OrdinalIgnoreCase) || value.Equals("HDRS", StringComparison.OrdinalIgnoreCase)):
                    ret = value.ToUpperInvariant();
                    break;
                case "ENVID" when value is not null && value.Length <= 100 && XText.Decode(value) is { } decoded:
                    envelopeId = decoded;
                    break;
                case "AUTH" when value is not null && XText.IsValid(value):
                    break; // RFC 4954 5: accepted and not passed on, since we do not trust it.
                default:
                    Error($"555 5.5.4 Unsupported or malformed MAIL parameter {key}");
                    return;
            }
        }

        var transaction = new SmtpTransaction(address)
        {
            Body = body,
            SmtpUtf8 = smtpUtf8,
            DsnReturn = ret,
            DsnEnvelopeId = envelopeId,
            DeclaredSize = size,
        };
        _transaction = transaction;
        if (!await RunHooksAsync((hook, info) => hook.OnMailFromAsync(info, address, Closed)))
        {
            _transaction = null;
            return;
        }

        Reply("250 2.1.0 Ok\r\n"u8);
    }

    /// <summary>True when <paramref name="address"/> is the account's address, one of its aliases, or resolves to the account.</summary>
    private async ValueTask<bool> OwnsAddressAsync(Sdk.Users.MailUser user, string address)
    {
        if (string.Equals(address, user.Address, StringComparison.OrdinalIgnoreCase)
            || user.Aliases.Any(a => string.Equals(a, address, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return await _services.Users.ResolveRecipientAsync(address, Closed) is Sdk.Users.RecipientResolution.Local local && local.User.Id == user.Id;
    }
}
