using Extensible.Imap.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Imap;

/// <summary>Untagged EXISTS, EXPUNGE/VANISHED and FETCH updates from other sessions and deliveries (RFC 9051 7.4, 5.2).</summary>
internal sealed partial class ImapSession
{
    private static bool SamePath(string a, string b) =>
        a.Equals(b, StringComparison.Ordinal) || (a.Equals("INBOX", StringComparison.OrdinalIgnoreCase) && b.Equals("INBOX", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reports queued changes to the selected folder; EXPUNGEs wait when <paramref name="allowExpunge"/> is false.</summary>
    private async ValueTask FlushUpdatesAsync(bool allowExpunge, CancellationToken ct)
    {
        var selected = _selected;
        if (selected is null)
        {
            while (_changes.TryDequeue(out _))
            {
            }

            return;
        }

        var knownCount = selected.Count;
        HashSet<uint>? flagged = null;
        while (_changes.TryPeek(out var change))
        {
            if (!SamePath(change.FolderPath, selected.Path))
            {
                _changes.TryDequeue(out _);
                continue;
            }

            switch (change.Kind)
            {
                case MailboxChangeKind.Appended:
                    foreach (var uid in change.Uids)
                    {
                        if (uid > selected.MaxUid)
                        {
                            selected.Uids.Add(uid);
                        }
                    }

                    if (change.Uids.Count > 0)
                    {
                        // EXAMINE shows what is recent without taking it from the session that SELECTs next (RFC 3501 2.3.2).
                        var mark = selected.ReadOnly
                            ? _recent.Peek(_user!.Id, selected.Path, selected.Folder.UidValidity)
                            : _recent.Claim(_user!.Id, selected.Path, selected.Folder.UidValidity, selected.MaxUid);
                        foreach (var uid in change.Uids)
                        {
                            if (uid > mark)
                            {
                                selected.Recent.Add(uid);
                            }
                        }
                    }

                    break;
                case MailboxChangeKind.Expunged:
                    if (!allowExpunge)
                    {
                        goto done;
                    }

                    if (selected.Count != knownCount)
                    {
                        _writer.Raw("* ").Number(selected.Count).Raw(" EXISTS").EndLine();
                        knownCount = selected.Count;
                    }

                    var vanished = new List<uint>();
                    foreach (var uid in change.Uids)
                    {
                        var seq = selected.SequenceOf(uid);
                        if (seq == 0)
                        {
                            continue;
                        }

                        selected.Uids.RemoveAt((int)seq - 1);
                        selected.Recent.Remove(uid);
                        flagged?.Remove(uid);
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

                    knownCount = selected.Count;
                    selected.HighestModSeq = Math.Max(selected.HighestModSeq, change.ModSeq);
                    break;
                case MailboxChangeKind.FlagsChanged:
                    if (!selected.OwnModSeqs.Remove(change.ModSeq) && change.ModSeq > selected.HighestModSeq)
                    {
                        flagged ??= [];
                        foreach (var uid in change.Uids)
                        {
                            flagged.Add(uid);
                        }
                    }

                    break;
                case MailboxChangeKind.FolderDeleted or MailboxChangeKind.FolderRenamed:
                    break;
            }

            _changes.TryDequeue(out _);
        }

    done:
        if (selected.Count != knownCount)
        {
            _writer.Raw("* ").Number(selected.Count).Raw(" EXISTS").EndLine();
            if (!_rev2)
            {
                _writer.Raw("* ").Number((ulong)selected.Recent.Count).Raw(" RECENT").EndLine();
            }
        }

        if (flagged is { Count: > 0 })
        {
            var sorted = flagged.Order().ToList();
            foreach (var m in await selected.Folder.ListAsync(sorted[0], sorted[^1], ct))
            {
                if (!flagged.Contains(m.Uid))
                {
                    continue;
                }

                var seq = selected.SequenceOf(m.Uid);
                if (seq == 0)
                {
                    continue;
                }

                _writer.Raw("* ").Number(seq).Raw(" FETCH (");
                WriteFlags(m, selected.Recent.Contains(m.Uid));
                _writer.Raw(" UID ").Number(m.Uid);
                if (_condstore)
                {
                    _writer.Raw(" MODSEQ (").Number(m.ModSeq).Raw(")");
                }

                _writer.Raw(")").EndLine();
                selected.HighestModSeq = Math.Max(selected.HighestModSeq, m.ModSeq);
            }
        }
    }

    private void WriteFlags(MessageSummary m, bool recent = false)
    {
        _writer.Raw("FLAGS (");
        var first = true;
        void Flag(string f)
        {
            if (!first)
            {
                _writer.Raw(" ");
            }

            first = false;
            _writer.Raw(f);
        }

        if (m.Flags.HasFlag(StoreFlags.Seen))
        {
            Flag("\\Seen");
        }

        if (m.Flags.HasFlag(StoreFlags.Answered))
        {
            Flag("\\Answered");
        }

        if (m.Flags.HasFlag(StoreFlags.Flagged))
        {
            Flag("\\Flagged");
        }

        if (m.Flags.HasFlag(StoreFlags.Deleted))
        {
            Flag("\\Deleted");
        }

        if (m.Flags.HasFlag(StoreFlags.Draft))
        {
            Flag("\\Draft");
        }

        if (recent && !_rev2)
        {
            Flag("\\Recent");
        }

        foreach (var k in m.Keywords)
        {
            Flag(k);
        }

        _writer.Raw(")");
    }
}
