namespace Extensible.Imap.Protocol;

/// <summary>An RFC 9051 sequence-set (<c>1:3,5,7:*</c>) or the saved result <c>$</c> (RFC 5182), parsed but not yet resolved.</summary>
internal sealed class SequenceSet
{
    private const uint Star = 0;
    private readonly List<(uint From, uint To)> _ranges;

    private SequenceSet(List<(uint From, uint To)> ranges, bool saved)
    {
        _ranges = ranges;
        IsSaved = saved;
    }

    /// <summary>True for <c>$</c>, the result saved by SEARCH RETURN (SAVE).</summary>
    public bool IsSaved { get; }

    /// <summary>True when some element is '*'.</summary>
    public bool HasStar => _ranges.Exists(r => r.From == Star || r.To == Star);

    /// <summary>Parses a sequence set; '*' is allowed anywhere a number is; ranges may run backwards.</summary>
    public static SequenceSet Parse(string text)
    {
        if (text == "$")
        {
            return new SequenceSet([], saved: true);
        }

        var ranges = new List<(uint, uint)>();
        foreach (var part in text.Split(','))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                var n = ParseNumber(part);
                ranges.Add((n, n));
            }
            else
            {
                ranges.Add((ParseNumber(part[..colon]), ParseNumber(part[(colon + 1)..])));
            }
        }

        return new SequenceSet(ranges, saved: false);
    }

    /// <summary>True when <paramref name="text"/> parses as a sequence set.</summary>
    public static bool TryParse(string text, out SequenceSet? set)
    {
        try
        {
            set = Parse(text);
            return true;
        }
        catch (ImapParseException)
        {
            set = null;
            return false;
        }
    }

    private static uint ParseNumber(string s)
    {
        if (s == "*")
        {
            return Star;
        }

        if (s.Length == 0 || s.Length > 10 || s[0] == '0')
        {
            throw new ImapParseException("Invalid sequence set");
        }

        ulong value = 0;
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                throw new ImapParseException("Invalid sequence set");
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        return value > uint.MaxValue ? throw new ImapParseException("Invalid sequence set: number too large") : (uint)value;
    }

    /// <summary>True when <paramref name="value"/> lies in the set, with '*' standing for <paramref name="star"/>.</summary>
    public bool Contains(uint value, uint star)
    {
        foreach (var (from, to) in _ranges)
        {
            var a = from == Star ? star : from;
            var b = to == Star ? star : to;
            if (a > b)
            {
                (a, b) = (b, a);
            }

            if (value >= a && value <= b)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The ranges with '*' replaced by <paramref name="star"/>, each ordered low to high.</summary>
    public IEnumerable<(uint From, uint To)> Resolve(uint star)
    {
        foreach (var (from, to) in _ranges)
        {
            var a = from == Star ? star : from;
            var b = to == Star ? star : to;
            yield return a <= b ? (a, b) : (b, a);
        }
    }

    /// <summary>Formats ascending values as a compact sequence set (<c>1:3,7</c>); empty input gives an empty string.</summary>
    public static string Format(IEnumerable<uint> ascending)
    {
        var sb = new System.Text.StringBuilder();
        uint start = 0, prev = 0;
        var any = false;
        foreach (var v in ascending)
        {
            if (any && v == prev + 1)
            {
                prev = v;
                continue;
            }

            if (any)
            {
                Append(sb, start, prev);
            }

            start = prev = v;
            any = true;
        }

        if (any)
        {
            Append(sb, start, prev);
        }

        return sb.ToString();

        static void Append(System.Text.StringBuilder sb, uint a, uint b)
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(a);
            if (b != a)
            {
                sb.Append(':').Append(b);
            }
        }
    }
}
