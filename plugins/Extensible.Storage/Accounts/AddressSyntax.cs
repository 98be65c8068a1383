using System.Globalization;
using System.Text;

namespace Extensible.Storage.Accounts;

/// <summary>Checks and normalizes mailbox addresses (RFC 5321 with RFC 6531 UTF-8 local parts); domains become lower-case A-labels.</summary>
internal static class AddressSyntax
{
    private const string AtomSpecials = "!#$%&'*+-/=?^_`{|}~";
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>Normalizes a domain name (trailing dot dropped, IDN to ASCII, lower case); null with an error when invalid.</summary>
    public static string? NormalizeDomain(string domain, out string? error)
    {
        error = null;
        var text = domain.Trim();
        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        if (text.Length == 0 || text.Length > 253 || text.Any(char.IsControl) || text.Contains(' ', StringComparison.Ordinal))
        {
            error = "domain name is empty, too long or contains spaces or control characters";
            return null;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(text).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = $"'{Printable(domain)}' is not a valid domain name";
            return null;
        }

        var labels = ascii.Split('.');
        if (labels.Length < 1 || ascii.Length > 253 || labels.Any(l => l.Length is 0 or > 63 || l[0] == '-' || l[^1] == '-'
            || !l.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')))
        {
            error = $"'{Printable(domain)}' is not a valid domain name";
            return null;
        }

        return ascii;
    }

    /// <summary>Normalizes <c>local@domain</c>; the local part is lower-cased (compared without case), the domain as <see cref="NormalizeDomain"/>.</summary>
    public static string? Normalize(string address, out string? error)
    {
        error = null;
        var text = address.Trim();
        if (text.StartsWith('<') && text.EndsWith('>'))
        {
            text = text[1..^1];
        }

        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            error = $"'{Printable(address)}' is not an address of the form local@domain";
            return null;
        }

        var local = text[..at];
        if (!IsValidLocalPart(local))
        {
            error = $"'{Printable(address)}' has an invalid local part (RFC 5321/6531)";
            return null;
        }

        var domain = NormalizeDomain(text[(at + 1)..], out var domainError);
        if (domain is null)
        {
            error = domainError;
            return null;
        }

        return local.Normalize(NormalizationForm.FormC).ToLowerInvariant() + "@" + domain;
    }

    /// <summary>True when the text is a dot-string or quoted-string local part within 64 octets.</summary>
    public static bool IsValidLocalPart(string local)
    {
        if (local.Length == 0 || Encoding.UTF8.GetByteCount(local) > 64)
        {
            return false;
        }

        if (local.Length >= 2 && local[0] == '"' && local[^1] == '"')
        {
            for (var i = 1; i < local.Length - 1; i++)
            {
                var c = local[i];
                if (c == '\\')
                {
                    i++;
                    if (i >= local.Length - 1 || local[i] < 32 || local[i] == 127)
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

        foreach (var atom in local.Split('.'))
        {
            if (atom.Length == 0)
            {
                return false;
            }

            foreach (var c in atom)
            {
                var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') || AtomSpecials.Contains(c, StringComparison.Ordinal)
                    || (c > 127 && !char.IsControl(c) && !char.IsWhiteSpace(c));
                if (!ok)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The text with control characters replaced, safe to echo in an error message.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 200));
        foreach (var c in text.Length > 200 ? text[..200] : text)
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }
}
