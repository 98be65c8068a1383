using Extensible.Sdk.Storage;
using MimeKit;

namespace Extensible.Imap.Search;

/// <summary>Tests a message against a parsed SEARCH program; substring matches ignore case (i;unicode-casemap-like).</summary>
internal static class SearchEvaluator
{
    /// <summary>True when the message in <paramref name="context"/> matches <paramref name="key"/>.</summary>
    public static bool Matches(SearchKey key, SearchContext context)
    {
        var s = context.Summary;
        return key.Kind switch
        {
            SearchKind.All => true,
            SearchKind.And => key.Children.TrueForAll(c => Matches(c, context)),
            SearchKind.Or => key.Children.Exists(c => Matches(c, context)),
            SearchKind.Not => !Matches(key.Children[0], context),
            SearchKind.Answered => s.Flags.HasFlag(StoreFlags.Answered),
            SearchKind.Deleted => s.Flags.HasFlag(StoreFlags.Deleted),
            SearchKind.Draft => s.Flags.HasFlag(StoreFlags.Draft),
            SearchKind.Flagged => s.Flags.HasFlag(StoreFlags.Flagged),
            SearchKind.Seen => s.Flags.HasFlag(StoreFlags.Seen),
            SearchKind.Recent => context.IsRecent,
            SearchKind.New => context.IsRecent && !s.Flags.HasFlag(StoreFlags.Seen),
            SearchKind.Old => !context.IsRecent,
            SearchKind.Unanswered => !s.Flags.HasFlag(StoreFlags.Answered),
            SearchKind.Undeleted => !s.Flags.HasFlag(StoreFlags.Deleted),
            SearchKind.Undraft => !s.Flags.HasFlag(StoreFlags.Draft),
            SearchKind.Unflagged => !s.Flags.HasFlag(StoreFlags.Flagged),
            SearchKind.Unseen => !s.Flags.HasFlag(StoreFlags.Seen),
            SearchKind.Keyword => HasKeyword(s, key.Text!),
            SearchKind.Unkeyword => !HasKeyword(s, key.Text!),
            SearchKind.Larger => s.Size > (long)Math.Min(key.Number, long.MaxValue),
            SearchKind.Smaller => s.Size < (long)Math.Min(key.Number, long.MaxValue),
            SearchKind.Before => DateOnly.FromDateTime(s.InternalDate.DateTime) < key.Date,
            SearchKind.On => DateOnly.FromDateTime(s.InternalDate.DateTime) == key.Date,
            SearchKind.Since => DateOnly.FromDateTime(s.InternalDate.DateTime) >= key.Date,
            SearchKind.SentBefore => SentDate(context) is { } d1 && d1 < key.Date,
            SearchKind.SentOn => SentDate(context) is { } d2 && d2 == key.Date,
            SearchKind.SentSince => SentDate(context) is { } d3 && d3 >= key.Date,
            SearchKind.Older => (context.Now - s.InternalDate).TotalSeconds >= key.Number,
            SearchKind.Younger => (context.Now - s.InternalDate).TotalSeconds <= key.Number,
            SearchKind.ModSeq => s.ModSeq >= key.Number,
            SearchKind.Sequence => key.Set!.Contains(context.Sequence, context.MaxSequence),
            SearchKind.Uid => key.Set!.Contains(s.Uid, context.MaxUid),
            SearchKind.Saved or SearchKind.SavedUid => context.Saved?.Contains(s.Uid) == true,
            SearchKind.From => HeaderContains(context, HeaderId.From, key.Text!),
            SearchKind.To => HeaderContains(context, HeaderId.To, key.Text!),
            SearchKind.Cc => HeaderContains(context, HeaderId.Cc, key.Text!),
            SearchKind.Bcc => HeaderContains(context, HeaderId.Bcc, key.Text!),
            SearchKind.Subject => HeaderContains(context, HeaderId.Subject, key.Text!),
            SearchKind.Header => HeaderContains(context, key.Field!, key.Text!),
            SearchKind.Body => BodyContains(context.Message, key.Text!),
            SearchKind.Text => HeadersContain(context.Message, key.Text!) || BodyContains(context.Message, key.Text!),
            _ => false,
        };
    }

    private static bool HasKeyword(MessageSummary summary, string keyword)
    {
        if (keyword.StartsWith('\\'))
        {
            return false;
        }

        foreach (var k in summary.Keywords)
        {
            if (k.Equals(keyword, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static DateOnly? SentDate(SearchContext context)
    {
        var message = context.Message;
        if (message is null || message.Headers.IndexOf(HeaderId.Date) < 0)
        {
            return DateOnly.FromDateTime(context.Summary.InternalDate.DateTime);
        }

        return DateOnly.FromDateTime(message.Date.DateTime);
    }

    private static bool Contains(string? haystack, string needle) =>
        haystack is not null && haystack.Contains(needle, StringComparison.OrdinalIgnoreCase);

    private static bool HeaderContains(SearchContext context, HeaderId id, string text) =>
        HeaderContains(context, id.ToHeaderName(), text);

    private static bool HeaderContains(SearchContext context, string field, string text)
    {
        if (context.Message is null)
        {
            return false;
        }

        foreach (var header in context.Message.Headers)
        {
            if (header.Field.Equals(field, StringComparison.OrdinalIgnoreCase) && (text.Length == 0 || Contains(header.Value, text)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HeadersContain(MimeMessage? message, string text)
    {
        if (message is null)
        {
            return false;
        }

        foreach (var header in message.Headers)
        {
            if (Contains(header.Value, text))
            {
                return true;
            }
        }

        return false;
    }

    private static bool BodyContains(MimeMessage? message, string text)
    {
        if (message is null)
        {
            return false;
        }

        foreach (var part in message.BodyParts)
        {
            if (part is TextPart textPart && Contains(textPart.Text, text))
            {
                return true;
            }
        }

        return false;
    }
}
