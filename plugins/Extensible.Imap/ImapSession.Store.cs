using Extensible.Imap.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Imap;

/// <summary>STORE and UID STORE with .SILENT and UNCHANGEDSINCE (RFC 7162), EXPUNGE and UID EXPUNGE.</summary>
internal sealed partial class ImapSession
{
    private async ValueTask StoreAsync(string tag, ImapParser p, bool byUid, CancellationToken ct)
    {
        p.Space();
        var set = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
        p.Space();
        ulong? unchangedSince = null;
        if (p.TryConsume('('))
        {
            var modifier = p.ReadAtom().ToUpperInvariant();
            if (modifier != "UNCHANGEDSINCE")
            {
                throw new ImapParseException("Unknown STORE modifier " + modifier);
            }

            p.Space();
            unchangedSince = p.ReadNumber(long.MaxValue);
            p.Expect(')');
            p.Space();
            _condstore = true;
        }

        var action = p.ReadAtom().ToUpperInvariant();
        var silent = action.EndsWith(".SILENT", StringComparison.Ordinal);
        var operation = action.Replace(".SILENT", string.Empty, StringComparison.Ordinal) switch
        {
            "FLAGS" => FlagOperation.Replace,
            "+FLAGS" => FlagOperation.Add,
            "-FLAGS" => FlagOperation.Remove,
            _ => throw new ImapParseException("Expected FLAGS, +FLAGS or -FLAGS"),
        };
        p.Space();
        var list = p.ReadFlagList(allowBare: true);
        p.ExpectEnd();
        var flags = StoreFlags.None;
        var keywords = new List<string>();
        foreach (var flag in list)
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

        var selected = _selected!;
        if (selected.ReadOnly)
        {
            throw new ImapNoException("Mailbox is read-only", "READ-ONLY");
        }

        await FlushUpdatesAsync(allowExpunge: false, ct);
        var targets = Resolve(set, byUid);
        if (targets.Count > 0)
        {
            var uids = targets.Select(t => t.Uid).ToList();
            var result = await selected.Folder.UpdateFlagsAsync(uids, new FlagChange(operation, flags, keywords), unchangedSince, ct);
            foreach (var m in result.Updated)
            {
                selected.RememberOwn(m.ModSeq);
                if (silent && !(unchangedSince is not null && _condstore))
                {
                    continue;
                }

                var seq = selected.SequenceOf(m.Uid);
                if (seq == 0)
                {
                    continue;
                }

                _writer.Raw("* ").Number(seq).Raw(" FETCH (");
                if (!silent)
                {
                    WriteFlags(m, selected.Recent.Contains(m.Uid));
                    _writer.Raw(" ");
                }

                if (byUid || _condstore)
                {
                    _writer.Raw("UID ").Number(m.Uid);
                }

                if (_condstore)
                {
                    _writer.Raw(" MODSEQ (").Number(m.ModSeq).Raw(")");
                }

                _writer.Raw(")").EndLine();
                await _writer.MaybeFlushAsync(ct);
            }

            if (result.Modified.Count > 0)
            {
                var modified = byUid ? result.Modified.Order() : result.Modified.Select(selected.SequenceOf).Where(s => s != 0).Order();
                await FlushUpdatesAsync(allowExpunge: false, ct);
                Tagged(tag, "OK", "Conditional STORE failed for some messages", "MODIFIED " + SequenceSet.Format(modified));
                return;
            }
        }

        await OkAsync(tag, byUid ? "UID STORE completed" : "STORE completed", allowExpunge: byUid, ct: ct);
    }

    private async ValueTask ExpungeAsync(string tag, ImapParser p, SequenceSet? uids, CancellationToken ct)
    {
        p.ExpectEnd();
        var selected = _selected!;
        if (selected.ReadOnly)
        {
            throw new ImapNoException("Mailbox is read-only", "READ-ONLY");
        }

        await FlushUpdatesAsync(allowExpunge: true, ct);
        IReadOnlyCollection<uint>? only = uids is null ? null : Resolve(uids, byUid: true).Select(t => t.Uid).ToList();
        if (only is { Count: 0 })
        {
            await OkAsync(tag, "EXPUNGE completed", ct: ct);
            return;
        }

        var removed = await selected.Folder.ExpungeAsync(only, ct);
        ReportExpunged(removed);
        await OkAsync(tag, uids is null ? "EXPUNGE completed" : "UID EXPUNGE completed", ct: ct);
    }

    /// <summary>Reports messages this session removed (EXPUNGE, MOVE) as EXPUNGE or VANISHED and drops them from the view.</summary>
    private void ReportExpunged(IReadOnlyList<uint> removed)
    {
        var selected = _selected!;
        var vanished = new List<uint>();
        foreach (var uid in removed)
        {
            var seq = selected.SequenceOf(uid);
            if (seq == 0)
            {
                continue;
            }

            selected.Uids.RemoveAt((int)seq - 1);
            selected.Recent.Remove(uid);
            if (_qresync)
            {
                vanished.Add(uid);
            }
            else
            {
                _writer.Raw("* ").Number(seq).Raw(" EXPUNGE").EndLine();
            }
        }

        if (vanished.Count > 0)
        {
            _writer.Raw("* VANISHED ").Raw(SequenceSet.Format(vanished)).EndLine();
        }
    }
}
