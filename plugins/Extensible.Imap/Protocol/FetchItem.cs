namespace Extensible.Imap.Protocol;

/// <summary>The kinds of FETCH data item (RFC 9051 6.4.5, RFC 3516 BINARY, RFC 7162 MODSEQ).</summary>
internal enum FetchKind
{
    Uid, Flags, InternalDate, Size, Envelope, Body, BodyStructure, ModSeq,
    Section, Binary, BinarySize,
}

/// <summary>One requested FETCH item; sections carry their part path, text specifier, fields and partial range.</summary>
internal sealed class FetchItem
{
    /// <summary>What is fetched.</summary>
    public FetchKind Kind { get; init; }

    /// <summary>The part numbers of the section (empty for the whole message).</summary>
    public List<int> Path { get; init; } = [];

    /// <summary>HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME, or null for the whole part.</summary>
    public string? Text { get; init; }

    /// <summary>Field names for HEADER.FIELDS[.NOT].</summary>
    public List<string>? Fields { get; init; }

    /// <summary>The partial range's start, or null.</summary>
    public long? PartialStart { get; init; }

    /// <summary>The partial range's length.</summary>
    public long PartialLength { get; init; }

    /// <summary>True when fetching does not set \Seen.</summary>
    public bool Peek { get; init; }

    /// <summary>The item's name in the response, without the partial origin (for example <c>BODY[HEADER]</c>).</summary>
    public string Label { get; init; } = string.Empty;

    /// <summary>True when the item sets \Seen unless the mailbox is read-only.</summary>
    public bool SetsSeen => Kind is FetchKind.Section or FetchKind.Binary && !Peek;

    /// <summary>True when the item needs the message's MIME structure.</summary>
    public bool NeedsStructure => Kind is FetchKind.Envelope or FetchKind.Body or FetchKind.BodyStructure or FetchKind.Binary or FetchKind.BinarySize
        || (Kind == FetchKind.Section && (Path.Count > 0 || Text is not null));
}
