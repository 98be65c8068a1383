using System.Globalization;
using Extensible.Imap.Protocol;

namespace Extensible.Imap.Search;

/// <summary>Parses SEARCH keys (and the CHARSET prefix) into a <see cref="SearchKey"/> tree.</summary>
internal static class SearchParser
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    /// <summary>Reads an optional <c>CHARSET name</c>; throws a NO with BADCHARSET for charsets other than US-ASCII and UTF-8.</summary>
    public static void ReadCharset(ImapParser p)
    {
        var name = p.ReadAString();
        if (!name.Equals("UTF-8", StringComparison.OrdinalIgnoreCase) && !name.Equals("US-ASCII", StringComparison.OrdinalIgnoreCase))
        {
            throw new ImapNoException("Unsupported charset", "BADCHARSET (US-ASCII UTF-8)");
        }
    }

    /// <summary>Reads one or more space-separated keys up to the end of the command (or a closing parenthesis) as an AND.</summary>
    public static SearchKey ReadProgram(ImapParser p)
    {
        var keys = new List<SearchKey> { ReadKey(p, 0) };
        while (p.TryConsume(' '))
        {
            keys.Add(ReadKey(p, 0));
        }

        p.ExpectEnd();
        return keys.Count == 1 ? keys[0] : new SearchKey { Kind = SearchKind.And, Children = keys };
    }

    private static SearchKey ReadKey(ImapParser p, int depth)
    {
        if (depth > 100)
        {
            throw new ImapParseException("Search program nested too deeply");
        }

        if (p.TryConsume('('))
        {
            var keys = new List<SearchKey> { ReadKey(p, depth + 1) };
            while (p.TryConsume(' '))
            {
                keys.Add(ReadKey(p, depth + 1));
            }

            p.Expect(')');
            return keys.Count == 1 ? keys[0] : new SearchKey { Kind = SearchKind.And, Children = keys };
        }

        var c = p.Peek();
        if (c is '$' or '*' or (>= '0' and <= '9'))
        {
            var set = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
            return set.IsSaved ? new SearchKey { Kind = SearchKind.Saved } : new SearchKey { Kind = SearchKind.Sequence, Set = set };
        }

        var atom = p.ReadAtom().ToUpperInvariant();
        switch (atom)
        {
            case "ALL": return Simple(SearchKind.All);
            case "ANSWERED": return Simple(SearchKind.Answered);
            case "DELETED": return Simple(SearchKind.Deleted);
            case "DRAFT": return Simple(SearchKind.Draft);
            case "FLAGGED": return Simple(SearchKind.Flagged);
            case "SEEN": return Simple(SearchKind.Seen);
            case "RECENT": return Simple(SearchKind.Recent);
            case "NEW": return Simple(SearchKind.New);
            case "OLD": return Simple(SearchKind.Old);
            case "UNANSWERED": return Simple(SearchKind.Unanswered);
            case "UNDELETED": return Simple(SearchKind.Undeleted);
            case "UNDRAFT": return Simple(SearchKind.Undraft);
            case "UNFLAGGED": return Simple(SearchKind.Unflagged);
            case "UNSEEN": return Simple(SearchKind.Unseen);
            case "KEYWORD": p.Space(); return new SearchKey { Kind = SearchKind.Keyword, Text = p.ReadAtom() };
            case "UNKEYWORD": p.Space(); return new SearchKey { Kind = SearchKind.Unkeyword, Text = p.ReadAtom() };
            case "BCC": return Str(p, SearchKind.Bcc);
            case "CC": return Str(p, SearchKind.Cc);
            case "FROM": return Str(p, SearchKind.From);
            case "TO": return Str(p, SearchKind.To);
            case "SUBJECT": return Str(p, SearchKind.Subject);
            case "BODY": return Str(p, SearchKind.Body);
            case "TEXT": return Str(p, SearchKind.Text);
            case "HEADER":
                p.Space();
                var field = p.ReadAString();
                p.Space();
                return new SearchKey { Kind = SearchKind.Header, Field = field, Text = p.ReadAString() };
            case "BEFORE": return DateKey(p, SearchKind.Before);
            case "ON": return DateKey(p, SearchKind.On);
            case "SINCE": return DateKey(p, SearchKind.Since);
            case "SENTBEFORE": return DateKey(p, SearchKind.SentBefore);
            case "SENTON": return DateKey(p, SearchKind.SentOn);
            case "SENTSINCE": return DateKey(p, SearchKind.SentSince);
            case "LARGER": p.Space(); return new SearchKey { Kind = SearchKind.Larger, Number = p.ReadNumber(long.MaxValue) };
            case "SMALLER": p.Space(); return new SearchKey { Kind = SearchKind.Smaller, Number = p.ReadNumber(long.MaxValue) };
            case "OLDER": p.Space(); return new SearchKey { Kind = SearchKind.Older, Number = p.ReadNzNumber() };
            case "YOUNGER": p.Space(); return new SearchKey { Kind = SearchKind.Younger, Number = p.ReadNzNumber() };
            case "UID":
            {
                p.Space();
                var set = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
                return set.IsSaved ? new SearchKey { Kind = SearchKind.SavedUid } : new SearchKey { Kind = SearchKind.Uid, Set = set };
            }

            case "NOT":
                p.Space();
                return new SearchKey { Kind = SearchKind.Not, Children = [ReadKey(p, depth + 1)] };
            case "OR":
            {
                p.Space();
                var a = ReadKey(p, depth + 1);
                p.Space();
                var b = ReadKey(p, depth + 1);
                return new SearchKey { Kind = SearchKind.Or, Children = [a, b] };
            }

            case "MODSEQ":
            {
                p.Space();
                if (p.Peek() == '"')
                {
                    // entry-name entry-type-req: accepted and ignored, per-flag MODSEQs are not kept.
                    p.ReadQuoted();
                    p.Space();
                    var type = p.ReadAtom().ToUpperInvariant();
                    if (type is not ("PRIV" or "SHARED" or "ALL"))
                    {
                        throw new ImapParseException("Bad MODSEQ entry type");
                    }

                    p.Space();
                }

                return new SearchKey { Kind = SearchKind.ModSeq, Number = p.ReadNumber(long.MaxValue) };
            }

            default:
                throw new ImapParseException("Unknown search key " + atom);
        }
    }

    private static SearchKey Simple(SearchKind kind) => new() { Kind = kind };

    private static SearchKey Str(ImapParser p, SearchKind kind)
    {
        p.Space();
        return new SearchKey { Kind = kind, Text = p.ReadAString() };
    }

    private static SearchKey DateKey(ImapParser p, SearchKind kind)
    {
        p.Space();
        var text = p.Peek() == '"' ? p.ReadQuoted() : p.ReadAtom();
        return new SearchKey { Kind = kind, Date = ParseDate(text) };
    }

    /// <summary>Parses an IMAP date (<c>1-Feb-1994</c>).</summary>
    public static DateOnly ParseDate(string text)
    {
        var parts = text.Split('-');
        if (parts.Length != 3 || parts[0].Length is < 1 or > 2 || parts[2].Length != 4
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            throw new ImapParseException("Invalid date");
        }

        var month = Array.IndexOf(Months, parts[1].ToUpperInvariant()) + 1;
        if (month == 0 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            throw new ImapParseException("Invalid date");
        }

        return new DateOnly(year, month, day);
    }
}
