using System.Text.RegularExpressions;
using Extensible.Sdk.Messages;

namespace Extensible.SmtpSending.Transport;

/// <summary>Maps SMTP replies onto per-recipient results: 2xx delivered, 4xx temporary, 5xx permanent.</summary>
internal static partial class SmtpReply
{
    /// <summary>The result for a recipient given the peer's reply code and text.</summary>
    public static RemoteRecipientResult ToResult(EnvelopeRecipient recipient, int code, string text, string? remoteHost)
    {
        var status = code switch
        {
            >= 200 and < 300 => RemoteDeliveryStatus.Delivered,
            >= 500 and < 600 => RemoteDeliveryStatus.PermanentFailure,
            _ => RemoteDeliveryStatus.TemporaryFailure,
        };
        var line = Flatten(text);
        var enhanced = EnhancedCode(line, code);
        var diagnostic = line.StartsWith(enhanced, StringComparison.Ordinal) ? $"smtp; {code} {line}" : $"smtp; {code} {enhanced} {line}";
        return new RemoteRecipientResult(recipient, status, diagnostic, remoteHost, enhanced);
    }

    /// <summary>The RFC 3463 code at the start of the text, or the generic one for the reply's class.</summary>
    public static string EnhancedCode(string text, int code)
    {
        var match = EnhancedPattern().Match(text);
        var @class = code / 100;
        if (match.Success && match.Groups[1].Value == @class.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return match.Value;
        }

        return @class switch
        {
            2 => "2.0.0",
            5 => "5.0.0",
            _ => "4.0.0",
        };
    }

    private static string Flatten(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    [GeneratedRegex(@"^([245])\.\d{1,3}\.\d{1,3}(?=\s|$)")]
    private static partial Regex EnhancedPattern();
}
