using System.Text;

namespace Extensible.SmtpReceiving.Protocol;

/// <summary>RFC 3461 xtext: printable ASCII except <c>+</c> and <c>=</c>, which travel as <c>+XX</c>.</summary>
internal static class XText
{
    /// <summary>Decodes xtext, or returns null when it is malformed.</summary>
    public static string? Decode(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigitUpper(text[i + 1]) || !char.IsAsciiHexDigitUpper(text[i + 2]))
                {
                    return null;
                }

                builder.Append((char)Convert.ToByte(text.Slice(i + 1, 2).ToString(), 16));
                i += 2;
            }
            else if (c is < '!' or > '~' or '=')
            {
                return null;
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>True when the text is well-formed xtext.</summary>
    public static bool IsValid(ReadOnlySpan<char> text) => Decode(text) is not null;
}
