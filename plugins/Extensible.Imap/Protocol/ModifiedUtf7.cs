using System.Text;

namespace Extensible.Imap.Protocol;

/// <summary>IMAP's modified UTF-7 for mailbox names (RFC 3501 section 5.1.3).</summary>
internal static class ModifiedUtf7
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

    /// <summary>Encodes a Unicode name; printable ASCII stays as is and '&amp;' becomes "&amp;-".</summary>
    public static string Encode(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        var i = 0;
        while (i < name.Length)
        {
            var c = name[i];
            if (c is >= (char)0x20 and <= (char)0x7e)
            {
                sb.Append(c == '&' ? "&-" : c.ToString());
                i++;
                continue;
            }

            var start = i;
            while (i < name.Length && name[i] is < (char)0x20 or > (char)0x7e)
            {
                i++;
            }

            var bytes = Encoding.BigEndianUnicode.GetBytes(name[start..i]);
            sb.Append('&');
            int bits = 0, buffer = 0;
            foreach (var b in bytes)
            {
                buffer = (buffer << 8) | b;
                bits += 8;
                while (bits >= 6)
                {
                    bits -= 6;
                    sb.Append(Alphabet[(buffer >> bits) & 0x3f]);
                }
            }

            if (bits > 0)
            {
                sb.Append(Alphabet[(buffer << (6 - bits)) & 0x3f]);
            }

            sb.Append('-');
        }

        return sb.ToString();
    }

    /// <summary>Decodes a name; returns false for malformed input (bad base64, unpadded bits, raw 8-bit, encoded ASCII).</summary>
    public static bool TryDecode(string text, out string name)
    {
        var sb = new StringBuilder(text.Length);
        name = string.Empty;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c > 0x7e || c < 0x20)
            {
                return false;
            }

            if (c != '&')
            {
                sb.Append(c);
                i++;
                continue;
            }

            var end = text.IndexOf('-', i + 1);
            if (end < 0)
            {
                return false;
            }

            if (end == i + 1)
            {
                sb.Append('&');
                i = end + 1;
                continue;
            }

            var bytes = new List<byte>();
            int bits = 0, buffer = 0;
            for (var j = i + 1; j < end; j++)
            {
                var v = Alphabet.IndexOf(text[j], StringComparison.Ordinal);
                if (v < 0)
                {
                    return false;
                }

                buffer = ((buffer << 6) | v) & 0xffffff;
                bits += 6;
                if (bits >= 8)
                {
                    bits -= 8;
                    bytes.Add((byte)(buffer >> bits));
                }
            }

            if (bits >= 6 || (buffer & ((1 << bits) - 1)) != 0 || bytes.Count % 2 != 0)
            {
                return false;
            }

            string decoded;
            try
            {
                decoded = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
            }
            catch (DecoderFallbackException)
            {
                return false;
            }

            foreach (var d in decoded)
            {
                if (d is >= (char)0x20 and <= (char)0x7e)
                {
                    return false;
                }
            }

            sb.Append(decoded);
            i = end + 1;
        }

        name = sb.ToString();
        return true;
    }
}
