using System.Globalization;
using System.Security.Authentication;
using System.Text;

namespace Extensible.SmtpReceiving.Data;

/// <summary>Builds the trace header this server prepends (RFC 5321 4.4, protocol names of RFC 3848 and RFC 6531).</summary>
internal static class ReceivedHeader
{
    /// <summary>The WITH protocol name: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA, or UTF8SMTP* for SMTPUTF8 transactions.</summary>
    public static string Protocol(bool esmtp, bool secure, bool authenticated, bool utf8)
    {
        if (!esmtp)
        {
            return "SMTP";
        }

        var suffix = (secure ? "S" : "") + (authenticated ? "A" : "");
        return (utf8 ? "UTF8SMTP" : "ESMTP") + suffix;
    }

    /// <summary>The complete header, folded, CRLF-terminated.</summary>
    public static string Build(ReceivedInfo info)
    {
        var builder = new StringBuilder(256);
        builder.Append("Received: from ").Append(Sanitize(info.HeloName ?? "unknown"))
            .Append(" ([").Append(info.ClientAddress).Append("])");
        if (info.TlsProtocol != SslProtocols.None)
        {
            builder.Append("\r\n\t(using ").Append(TlsName(info.TlsProtocol));
            if (info.TlsCipherSuite is not null)
            {
                builder.Append(" with cipher ").Append(info.TlsCipherSuite);
            }

            builder.Append(')');
        }

        if (info.AuthenticatedUser is not null)
        {
            builder.Append("\r\n\t(authenticated as ").Append(Sanitize(info.AuthenticatedUser)).Append(')');
        }

        builder.Append("\r\n\tby ").Append(info.ServerName).Append(" (Extensible) with ").Append(info.Protocol)
            .Append(" id ").Append(info.Id);
        if (info.SingleRecipient is not null)
        {
            builder.Append("\r\n\tfor <").Append(info.SingleRecipient).Append('>');
        }

        builder.Append(";\r\n\t")
            .Append(info.Date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture))
            .Append(info.Date.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal))
            .Append("\r\n");
        return builder.ToString();
    }

    private static string TlsName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLSv1.3",
        SslProtocols.Tls12 => "TLSv1.2",
        _ => protocol.ToString(),
    };

    private static string Sanitize(string text)
    {
        // Client-supplied text must not break the header: no controls, no comment delimiters.
        foreach (var c in text)
        {
            if (c < 0x21 || c == 0x7f || c is '(' or ')' or '\\')
            {
                var builder = new StringBuilder(text.Length);
                foreach (var d in text)
                {
                    builder.Append(d < 0x21 || d == 0x7f || d is '(' or ')' or '\\' ? '_' : d);
                }

                return builder.ToString();
            }
        }

        return text;
    }
}

/// <summary>What the Received: header records.</summary>
internal sealed record ReceivedInfo(
    string? HeloName,
    System.Net.IPAddress ClientAddress,
    string ServerName,
    string Protocol,
    string Id,
    SslProtocols TlsProtocol,
    string? TlsCipherSuite,
    string? AuthenticatedUser,
    string? SingleRecipient,
    DateTimeOffset Date);
