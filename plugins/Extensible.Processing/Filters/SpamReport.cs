using System.Globalization;

namespace Extensible.Processing.Filters;

/// <summary>spamd's answer to SYMBOLS.</summary>
/// <param name="IsSpam">spamd's verdict.</param>
/// <param name="Score">The score.</param>
/// <param name="Threshold">spamd's required score.</param>
/// <param name="Symbols">The rules that hit, comma-separated.</param>
public sealed record SpamReport(bool IsSpam, double Score, double Threshold, string Symbols)
{
    /// <summary>Parses <c>SPAMD/1.1 0 EX_OK</c>, <c>Spam: True ; 15.3 / 5.0</c>, a blank line and the symbols; throws on an error reply.</summary>
    public static SpamReport Parse(string reply)
    {
        var lines = reply.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 3 || !status[0].StartsWith("SPAMD/", StringComparison.Ordinal) || status[1] != "0")
        {
            throw new IOException($"spamd answered '{lines[0]}'");
        }

        var spamLine = lines.FirstOrDefault(l => l.StartsWith("Spam:", StringComparison.OrdinalIgnoreCase))
            ?? throw new IOException("spamd's reply has no Spam header");
        var value = spamLine[5..].Split(';', 2);
        var scores = value.Length == 2 ? value[1].Split('/', 2) : [];
        if (scores.Length != 2
            || !double.TryParse(scores[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
            || !double.TryParse(scores[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold))
        {
            throw new IOException($"spamd's Spam header is malformed: '{spamLine}'");
        }

        var blank = Array.IndexOf(lines, "");
        var symbols = blank >= 0 ? string.Join("", lines[(blank + 1)..]).Trim() : "";
        var isSpam = value[0].Trim().Equals("True", StringComparison.OrdinalIgnoreCase) || value[0].Trim().Equals("Yes", StringComparison.OrdinalIgnoreCase);
        return new SpamReport(isSpam, score, threshold, symbols.Length > 0 ? symbols : "none");
    }
}
