using Extensible.Sdk.Storage;
using MimeKit;

namespace Extensible.Imap.Search;

/// <summary>What a SEARCH key is tested against: one message and the mailbox around it.</summary>
internal sealed class SearchContext
{
    /// <summary>The message's sequence number.</summary>
    public uint Sequence { get; set; }

    /// <summary>True when the message is \Recent for this session.</summary>
    public bool IsRecent { get; init; }

    /// <summary>The message's summary.</summary>
    public required MessageSummary Summary { get; set; }

    /// <summary>Number of messages in the mailbox ('*' of a sequence set).</summary>
    public uint MaxSequence { get; init; }

    /// <summary>The largest UID in the mailbox ('*' of a UID set).</summary>
    public uint MaxUid { get; init; }

    /// <summary>UIDs saved by SEARCH RETURN (SAVE), or null when nothing is saved.</summary>
    public IReadOnlySet<uint>? Saved { get; init; }

    /// <summary>The message parsed (headers only or entirely), when the program needs it.</summary>
    public MimeMessage? Message { get; set; }

    /// <summary>The current time, for OLDER and YOUNGER.</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
}
