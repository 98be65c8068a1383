using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Extensible.Processing.Filters.Spf;

/// <summary>The values SPF macros expand to (RFC 7208 section 7).</summary>
/// <param name="Ip">The client address.</param>
/// <param name="Sender">The full sender (local@domain).</param>
/// <param name="Helo">The HELO/EHLO name.</param>
/// <param name="Receiver">This server's name.</param>
public sealed record SpfMacroContext(IPAddress Ip, string Sender, string Helo, string Receiver)
{
    /// <summary>The domain being checked (changes with include and redirect).</summary>
    public string Domain { get; init; } = "";
}

/// <summary>Expands SPF macro strings such as <c>%{ir}.%{v}._spf.%{d2}</c>.</summary>
public static class SpfMacro
{
    /// <summary>The expanded domain-spec, or null when the macro string is malformed.</summary>
    public static string? Expand(string text, SpfMacroContext context)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '%')
            {
                builder.Append(c);
                continue;
            }

            if (++i >= text.Length)
            {
                return null;
            }

            switch (text[i])
            {
                case '%':
                    builder.Append('%');
                    continue;
                case '_':
                    builder.Append(' ');
                    continue;
                case '-':
                    builder.Append("%20");
                    continue;
                case '{':
                    var end = text.IndexOf('}', i);
                    if (end < 0 || end == i + 1)
                    {
                        return null;
                    }

                    var value = ExpandOne(text[(i + 1)..end], context);
                    if (value is null)
                    {
                        return null;
                    }

                    builder.Append(value);
                    i = end;
                    continue;
                default:
                    return null;
            }
        }

        var result = builder.ToString().TrimEnd('.');

        // RFC 7208 7.3: an expanded domain-spec longer than 253 characters loses labels from the left.
        while (result.Length > 253 && result.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0)
        {
            result = result[(dot + 1)..];
        }

        return result;
    }

    private static string? ExpandOne(string macro, SpfMacroContext context)
    {
        var letter = char.ToLowerInvariant(macro[0]);
        var at = context.Sender.LastIndexOf('@');
        string? value = letter switch
        {
            's' => context.Sender,
            'l' => at > 0 ? context.Sender[..at] : "postmaster",
            'o' => at >= 0 ? context.Sender[(at + 1)..] : context.Sender,
            'd' => context.Domain,
            'i' => DottedAddress(context.Ip),
            'p' => "unknown",
            'v' => context.Ip.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "in-addr",
            'h' => context.Helo,
            'c' => context.Ip.ToString(),
            'r' => context.Receiver,
            't' => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
        if (value is null)
        {
            return null;
        }

        var rest = macro[1..];
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }

        var keep = digits > 0 && int.TryParse(rest[..digits], out var n) ? n : int.MaxValue;
        if (digits > 0 && keep == 0)
        {
            return null;
        }

        rest = rest[digits..];
        var reverse = rest.StartsWith('r') || rest.StartsWith('R');
        var delimiters = (reverse ? rest[1..] : rest).ToCharArray();
        if (delimiters.Any(d => d is not ('.' or '-' or '+' or ',' or '/' or '_' or '=')))
        {
            return null;
        }

        var parts = value.Split(delimiters.Length == 0 ? ['.'] : delimiters).ToList();
        if (reverse)
        {
            parts.Reverse();
        }

        if (parts.Count > keep)
        {
            parts = parts[^keep..];
        }

        var expanded = string.Join('.', parts);
        return char.IsUpper(macro[0]) ? Uri.EscapeDataString(expanded) : expanded;
    }

    private static string DottedAddress(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ip.ToString();
        }

        var hex = Convert.ToHexStringLower(ip.GetAddressBytes());
        return string.Join('.', hex.ToCharArray());
    }
}
