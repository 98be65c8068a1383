using Extensible.Imap.Protocol;

namespace Extensible.Imap.Search;

/// <summary>The kinds of SEARCH key (RFC 9051 6.4.4, RFC 3501, RFC 7162 MODSEQ, RFC 5032 WITHIN, RFC 5182 $).</summary>
internal enum SearchKind
{
    All, And, Or, Not,
    Answered, Deleted, Draft, Flagged, Seen, Recent, New, Old,
    Unanswered, Undeleted, Undraft, Unflagged, Unseen,
    Keyword, Unkeyword,
    Bcc, Cc, From, To, Subject, Header, Body, Text,
    Before, On, Since, SentBefore, SentOn, SentSince,
    Larger, Smaller,
    Sequence, Uid, Saved, SavedUid,
    ModSeq, Older, Younger,
}

/// <summary>One node of a parsed SEARCH program.</summary>
internal sealed class SearchKey
{
    /// <summary>What the node tests.</summary>
    public SearchKind Kind { get; init; }

    /// <summary>Children of And, Or and Not.</summary>
    public List<SearchKey> Children { get; init; } = [];

    /// <summary>String argument (text, keyword, header value).</summary>
    public string? Text { get; init; }

    /// <summary>Header field name for HEADER.</summary>
    public string? Field { get; init; }

    /// <summary>Date argument (date only) for the date keys.</summary>
    public DateOnly Date { get; init; }

    /// <summary>Number argument (size, MODSEQ, seconds).</summary>
    public ulong Number { get; init; }

    /// <summary>Set argument for sequence and UID keys.</summary>
    public SequenceSet? Set { get; init; }

    /// <summary>True when evaluation needs the message's headers.</summary>
    public bool NeedsHeaders => Kind is SearchKind.Bcc or SearchKind.Cc or SearchKind.From or SearchKind.To or SearchKind.Subject
        or SearchKind.Header or SearchKind.SentBefore or SearchKind.SentOn or SearchKind.SentSince
        || Children.Exists(c => c.NeedsHeaders);

    /// <summary>True when evaluation needs the message's body text.</summary>
    public bool NeedsBody => Kind is SearchKind.Body or SearchKind.Text || Children.Exists(c => c.NeedsBody);

    /// <summary>True when the program refers to MODSEQ (so the response carries the highest one, RFC 7162 3.1.5).</summary>
    public bool UsesModSeq => Kind == SearchKind.ModSeq || Children.Exists(c => c.UsesModSeq);
}
