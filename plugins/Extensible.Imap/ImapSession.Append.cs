using System.Globalization;
using Extensible.Imap.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Imap;

/// <summary>APPEND with MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315), literal8 (RFC 3516) and UTF8 (RFC 6855).</summary>
internal sealed partial class ImapSession
{
    private static readonly string[] DateTimeFormats = ["d-MMM-yyyy HH:mm:ss zzz", "dd-MMM-yyyy HH:mm:ss zzz"];

    private async ValueTask AppendAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var path = ReadMailboxPath(p);
        var messages = new List<(ImapLiteral Literal, StoreFlags Flags, List<string> Keywords, DateTimeOffset Date)>();
        do
        {
            p.Space();
            var flags = StoreFlags.None;
            var keywords = new List<string>();
            if (p.Peek() == '(')
            {
                foreach (var flag in p.ReadFlagList(allowBare: false))
                {
                    switch (flag.ToUpperInvariant())
                    {
                        case "\\SEEN": flags |= StoreFlags.Seen; break;
                        case "\\ANSWERED": flags |= StoreFlags.Answered; break;
                        case "\\FLAGGED": flags |= StoreFlags.Flagged; break;
                        case "\\DELETED": flags |= StoreFlags.Deleted; break;
                        case "\\DRAFT": flags |= StoreFlags.Draft; break;
                        case "\\RECENT": break;
                        default:
                            if (flag.StartsWith('\\'))
                            {
                                throw new ImapParseException("Unknown system flag " + flag);
                            }

                            keywords.Add(flag);
                            break;
                    }
                }

                p.Space();
            }

            var date = DateTimeOffset.Now;
            if (p.Peek() == '"')
            {
                date = ParseDateTime(p.ReadQuoted());
                p.Space();
            }

            ImapLiteral literal;
            if (p.Peek() is 'U' or 'u')
            {
                if (!p.ReadAtom().Equals("UTF8", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ImapParseException("Expected a message literal");
                }

                p.Space();
                p.Expect('(');
                literal = p.ReadLiteral();
                p.Expect(')');
            }
            else
            {
                literal = p.ReadLiteral();
            }

            messages.Add((literal, flags, keywords, date));
        }
        while (p.Peek() == ' ');
        p.ExpectEnd();

        if (messages.Exists(m => m.Literal.Length == 0))
        {
            throw new ImapNoException("Cannot append an empty message");
        }

        var uids = new List<uint>();
        uint uidValidity = 0;
        try
        {
            foreach (var (literal, flags, keywords, date) in messages)
            {
                await using var stream = literal.OpenRead();
                var result = await _mailbox!.AppendAsync(path, stream, flags, keywords, date, ct);
                uidValidity = result.UidValidity;
                uids.Add(result.Uid);
            }
        }
        catch (StoreException ex) when (uids.Count == 0 && ex.Error == StoreError.NotFound)
        {
            throw new ImapNoException("Mailbox does not exist", "TRYCREATE");
        }
        catch (StoreException) when (uids.Count > 0)
        {
            // MULTIAPPEND is all or nothing (RFC 3502 6.3.11): remove what this command already appended, then answer NO.
            await UndoAppendAsync(path, uids);
            throw;
        }

        await OkAsync(tag, "APPEND completed", allowExpunge: true, code: $"APPENDUID {uidValidity} {SequenceSet.Format(uids)}", ct: ct);
    }

    /// <summary>Expunges the messages a failed MULTIAPPEND appended; best effort, since the command fails either way.</summary>
    private async ValueTask UndoAppendAsync(string path, List<uint> uids)
    {
        try
        {
            var folder = await _mailbox!.OpenFolderAsync(path, CancellationToken.None);
            if (folder is null)
            {
                return;
            }

            await using (folder)
            {
                await folder.UpdateFlagsAsync(uids, new FlagChange(FlagOperation.Add, StoreFlags.Deleted, []), cancellationToken: CancellationToken.None);
                await folder.ExpungeAsync(uids, CancellationToken.None);
            }
        }
        catch (StoreException ex)
        {
            _connection.Logger.Warning(ex, "Could not remove {Count} messages of a failed MULTIAPPEND", uids.Count);
        }
    }

    private static DateTimeOffset ParseDateTime(string text)
    {
        // "dd-MMM-yyyy HH:mm:ss +zzzz": .NET wants the zone as +hh:mm.
        var trimmed = text.Trim();
        if (trimmed.Length >= 5 && trimmed[^5] is '+' or '-')
        {
            trimmed = trimmed[..^2] + ":" + trimmed[^2..];
        }

        return DateTimeOffset.TryParseExact(trimmed, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ImapParseException("Invalid date-time");
    }
}
