using System.Globalization;
using System.Text;

namespace Extensible.Imap.Mime;

/// <summary>Appends IMAP string forms (NIL, quoted, literal) to response text built ahead of time.</summary>
internal static class ImapText
{
    /// <summary>Appends NIL, a quoted string, or a literal when the value holds CR, LF, NUL, 8-bit or is long.</summary>
    public static StringBuilder AppendNString(this StringBuilder sb, string? value)
    {
        if (value is null)
        {
            return sb.Append("NIL");
        }

        var quotable = value.Length < 1000;
        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\0' or > (char)0x7e)
            {
                quotable = false;
                break;
            }
        }

        if (!quotable)
        {
            var bytes = Encoding.UTF8.GetByteCount(value);
            return sb.Append('{').Append(bytes.ToString(CultureInfo.InvariantCulture)).Append("}\r\n").Append(value);
        }

        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.Append('"');
    }
}
