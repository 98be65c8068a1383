using System.Text;

namespace Extensible.SmtpReceiving.Protocol;

/// <summary>The SMTP commands this server knows.</summary>
internal enum SmtpVerb
{
    Unknown,
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    Auth,
}

/// <summary>Recognises a command verb without allocating.</summary>
internal static class SmtpVerbs
{
    /// <summary>The verb of a command word, compared without ASCII case.</summary>
    public static SmtpVerb Parse(ReadOnlySpan<byte> word)
    {
        if (word.Length == 4)
        {
            if (Ascii.EqualsIgnoreCase(word, "MAIL"u8)) return SmtpVerb.Mail;
            if (Ascii.EqualsIgnoreCase(word, "RCPT"u8)) return SmtpVerb.Rcpt;
            if (Ascii.EqualsIgnoreCase(word, "DATA"u8)) return SmtpVerb.Data;
            if (Ascii.EqualsIgnoreCase(word, "EHLO"u8)) return SmtpVerb.Ehlo;
            if (Ascii.EqualsIgnoreCase(word, "HELO"u8)) return SmtpVerb.Helo;
            if (Ascii.EqualsIgnoreCase(word, "BDAT"u8)) return SmtpVerb.Bdat;
            if (Ascii.EqualsIgnoreCase(word, "RSET"u8)) return SmtpVerb.Rset;
            if (Ascii.EqualsIgnoreCase(word, "NOOP"u8)) return SmtpVerb.Noop;
            if (Ascii.EqualsIgnoreCase(word, "QUIT"u8)) return SmtpVerb.Quit;
            if (Ascii.EqualsIgnoreCase(word, "VRFY"u8)) return SmtpVerb.Vrfy;
            if (Ascii.EqualsIgnoreCase(word, "EXPN"u8)) return SmtpVerb.Expn;
            if (Ascii.EqualsIgnoreCase(word, "HELP"u8)) return SmtpVerb.Help;
            if (Ascii.EqualsIgnoreCase(word, "AUTH"u8)) return SmtpVerb.Auth;
        }
        else if (word.Length == 8 && Ascii.EqualsIgnoreCase(word, "STARTTLS"u8))
        {
            return SmtpVerb.StartTls;
        }

        return SmtpVerb.Unknown;
    }
}
