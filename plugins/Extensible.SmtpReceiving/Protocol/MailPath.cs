using System.Net;
using System.Net.Sockets;

namespace Extensible.SmtpReceiving.Protocol;

/// <summary>Parses RFC 5321 paths (<c>&lt;local@domain&gt;</c>) strictly: source routes are dropped, the domain is lower-cased and loses a trailing dot.</summary>
internal static class MailPath
{
    private const int MaxLocalPart = 64;
    private const int MaxDomain = 255;
    private const string AText = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>Parses a path at the start of <paramref name="text"/>; <paramref name="end"/> is the index after the closing bracket.</summary>
    public static PathStatus TryParse(string text, bool allowUtf8, out string address, out int end)
    {
        address = string.Empty;
        end = 0;
        if (text.Length < 2 || text[0] != '<')
        {
            return PathStatus.Syntax;
        }

        var close = FindClose(text);
        if (close < 0)
        {
            return PathStatus.Syntax;
        }

        end = close + 1;
        var inner = text.AsSpan(1, close - 1);
        if (inner.IsEmpty)
        {
            return PathStatus.Null;
        }

        if (inner[0] == '@')
        {
            // A-d-l ":" Mailbox: the route is obsolete and ignored (RFC 5321 4.1.1.3, C.), but must parse.
            var colon = inner.IndexOf(':');
            if (colon < 0 || !IsValidRoute(inner[..colon]))
            {
                return PathStatus.Syntax;
            }

            inner = inner[(colon + 1)..];
        }

        if (!allowUtf8)
        {
            foreach (var c in inner)
            {
                if (c > 127)
                {
                    return PathStatus.NonAscii;
                }
            }
        }

        int at;
        if (inner.Length > 0 && inner[0] == '"')
        {
            var quoteEnd = FindQuoteEnd(inner);
            if (quoteEnd < 0 || !IsValidQuoted(inner[..(quoteEnd + 1)]))
            {
                return PathStatus.Syntax;
            }

            if (quoteEnd + 1 == inner.Length)
            {
                return PathStatus.Unqualified;
            }

            at = quoteEnd + 1;
            if (inner[at] != '@')
            {
                return PathStatus.Syntax;
            }
        }
        else
        {
            at = inner.IndexOf('@');
            var local = at < 0 ? inner : inner[..at];
            if (!IsValidDotString(local))
            {
                return PathStatus.Syntax;
            }

            if (at < 0)
            {
                return PathStatus.Unqualified;
            }
        }

        var localPart = inner[..at];
        if (localPart.Length > MaxLocalPart)
        {
            return PathStatus.Syntax;
        }

        var domain = NormalizeDomain(inner[(at + 1)..]);
        if (domain is null)
        {
            return PathStatus.Syntax;
        }

        address = string.Concat(localPart, "@", domain);
        return PathStatus.Ok;
    }

    /// <summary>Lower-cases a domain and drops one trailing dot, or returns null when it is no valid domain or address literal.</summary>
    public static string? NormalizeDomain(ReadOnlySpan<char> domain)
    {
        if (domain.Length == 0 || domain.Length > MaxDomain)
        {
            return null;
        }

        if (domain[0] == '[')
        {
            return IsValidAddressLiteral(domain) ? domain.ToString().ToLowerInvariant() : null;
        }

        if (domain[^1] == '.')
        {
            domain = domain[..^1];
        }

        if (domain.Length == 0)
        {
            return null;
        }

        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return null;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c > 127))
                {
                    return null;
                }
            }
        }

        return domain.ToString().ToLowerInvariant();
    }

    private static int FindClose(string text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == '>')
            {
                return i;
            }
            else if (c == '<')
            {
                return -1;
            }
        }

        return -1;
    }

    private static int FindQuoteEnd(ReadOnlySpan<char> text)
    {
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsValidQuoted(ReadOnlySpan<char> quoted)
    {
        for (var i = 1; i < quoted.Length - 1; i++)
        {
            var c = quoted[i];
            if (c == '\\')
            {
                i++;
                if (i >= quoted.Length - 1 || quoted[i] < 32 || quoted[i] == 127)
                {
                    return false;
                }
            }
            else if (c < 32 || c == 127 || c == '"')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidDotString(ReadOnlySpan<char> local)
    {
        if (local.IsEmpty || local[0] == '.' || local[^1] == '.')
        {
            return false;
        }

        for (var i = 0; i < local.Length; i++)
        {
            var c = local[i];
            if (c == '.')
            {
                if (local[i - 1] == '.')
                {
                    return false;
                }
            }
            else if (!(char.IsAsciiLetterOrDigit(c) || AText.Contains(c) || c > 127))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidRoute(ReadOnlySpan<char> route)
    {
        foreach (var range in route.Split(','))
        {
            var part = route[range];
            if (part.Length < 2 || part[0] != '@' || NormalizeDomain(part[1..]) is null)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidAddressLiteral(ReadOnlySpan<char> literal)
    {
        if (literal.Length < 3 || literal[^1] != ']')
        {
            return false;
        }

        var inner = literal[1..^1];
        if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.TryParse(inner[5..], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IPAddress.TryParse(inner, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && inner.Count('.') == 3;
    }
}
