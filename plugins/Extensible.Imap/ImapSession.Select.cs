using Extensible.Imap.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Imap;

/// <summary>SELECT, EXAMINE (with CONDSTORE and QRESYNC parameters), CLOSE and UNSELECT.</summary>
internal sealed partial class ImapSession
{
    private async ValueTask SelectAsync(string tag, ImapParser p, bool readOnly, CancellationToken ct)
    {
        p.Space();
        var path = ReadMailboxPath(p);
        var condstore = false;
        (uint UidValidity, ulong ModSeq, SequenceSet? Known, SequenceSet? SeqMatch, SequenceSet? UidMatch)? qresync = null;
        if (p.TryConsume(' '))
        {
            p.Expect('(');
            do
            {
                var param = p.ReadAtom().ToUpperInvariant();
                if (param == "CONDSTORE")
                {
                    condstore = true;
                }
                else if (param == "QRESYNC")
                {
                    if (!_qresync)
                    {
                        throw new ImapParseException("QRESYNC is not enabled");
                    }

                    p.Space();
                    p.Expect('(');
                    var uidValidity = p.ReadNzNumber();
                    p.Space();
                    var modSeq = p.ReadNumber(long.MaxValue);
                    SequenceSet? known = null, seqMatch = null, uidMatch = null;
                    if (p.TryConsume(' '))
                    {
                        if (p.Peek() != '(')
                        {
                            known = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
                            p.TryConsume(' ');
                        }

                        if (p.TryConsume('('))
                        {
                            seqMatch = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
                            p.Space();
                            uidMatch = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
                            p.Expect(')');
                        }
                    }

                    p.Expect(')');
                    qresync = (uidValidity, modSeq, known, seqMatch, uidMatch);
                }
                else
                {
                    throw new ImapParseException("Unknown SELECT parameter " + param);
                }
            }
            while (p.TryConsume(' '));
            p.Expect(')');
        }

        p.ExpectEnd();
        if (_selected is not null)
        {
            await UnselectAsync(expunge: false, ct);
            if (_qresync || _rev2)
            {
                _writer.Line("* OK [CLOSED] Previous mailbox is now closed");
            }
        }

        var folder = await _mailbox!.OpenFolderAsync(path, ct) ?? throw new ImapNoException("Mailbox does not exist", "NONEXISTENT");
        IReadOnlyList<MessageSummary> messages;
        FolderStatus status;
        try
        {
            messages = await folder.ListAsync(cancellationToken: ct);
            status = await folder.GetStatusAsync(ct);
        }
        catch
        {
            await folder.DisposeAsync();
            throw;
        }

        var uids = new List<uint>(messages.Count);
        var keywords = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        uint firstUnseen = 0;
        ulong highest = status.HighestModSeq;
        foreach (var m in messages)
        {
            uids.Add(m.Uid);
            foreach (var k in m.Keywords)
            {
                keywords.Add(k);
            }

            if (firstUnseen == 0 && !m.Flags.HasFlag(StoreFlags.Seen))
            {
                firstUnseen = (uint)uids.Count;
            }

            highest = Math.Max(highest, m.ModSeq);
        }

        _selected = new SelectedMailbox(folder, path, readOnly, uids) { HighestModSeq = highest };
        var maxUid = uids.Count == 0 ? 0 : uids[^1];
        var mark = readOnly ? _recent.Peek(_user!.Id, path, status.UidValidity) : _recent.Claim(_user!.Id, path, status.UidValidity, maxUid);
        for (var i = uids.Count - 1; i >= 0 && uids[i] > mark; i--)
        {
            _selected.Recent.Add(uids[i]);
        }

        _state = SessionState.Selected;
        _saved = null;
        if (condstore)
        {
            _condstore = true;
        }

        _writer.Raw("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft");
        foreach (var k in keywords)
        {
            _writer.Raw(" ").Raw(k);
        }

        _writer.Raw(")").EndLine();
        _writer.Raw(readOnly ? "* OK [PERMANENTFLAGS ()] Read-only mailbox" : "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft");
        if (!readOnly)
        {
            foreach (var k in keywords)
            {
                _writer.Raw(" ").Raw(k);
            }

            _writer.Raw(" \\*)] Flags permitted");
        }

        _writer.EndLine();
        _writer.Raw("* ").Number((ulong)uids.Count).Raw(" EXISTS").EndLine();
        if (!_rev2)
        {
            _writer.Raw("* ").Number((ulong)_selected.Recent.Count).Raw(" RECENT").EndLine();
            if (firstUnseen != 0)
            {
                _writer.Raw("* OK [UNSEEN ").Number(firstUnseen).Raw("] First unseen").EndLine();
            }
        }

        _writer.Raw("* OK [UIDVALIDITY ").Number(status.UidValidity).Raw("] UIDs valid").EndLine();
        _writer.Raw("* OK [UIDNEXT ").Number(status.UidNext).Raw("] Predicted next UID").EndLine();
        _writer.Raw("* OK [HIGHESTMODSEQ ").Number(Math.Max(1, highest)).Raw("] Highest").EndLine();
        if (_rev2)
        {
            _writer.Raw("* LIST () \"/\" ").String(EncodeName(path)).EndLine();
        }

        if (qresync is { } q && q.UidValidity == status.UidValidity)
        {
            await ResyncAsync(messages, q.ModSeq, q.Known, q.SeqMatch, q.UidMatch, ct);
        }

        Tagged(tag, "OK", readOnly ? "EXAMINE completed" : "SELECT completed", readOnly ? "READ-ONLY" : "READ-WRITE");
    }

    private async ValueTask ResyncAsync(IReadOnlyList<MessageSummary> messages, ulong modSeq, SequenceSet? known, SequenceSet? seqMatch, SequenceSet? uidMatch, CancellationToken ct)
    {
        var selected = _selected!;
        var vanished = new List<uint>();
        foreach (var uid in await selected.Folder.ListExpungedSinceAsync(modSeq, ct))
        {
            if (known is null || known.Contains(uid, uint.MaxValue))
            {
                vanished.Add(uid);
            }
        }

        // The sequence-match data (RFC 7162 3.2.5.2) only helps servers that forgot old expunges: this store keeps every expunged
        // UID with its MODSEQ, so VANISHED (EARLIER) above is already exact and the match data is accepted and not needed.
        _ = (seqMatch, uidMatch);

        if (vanished.Count > 0)
        {
            _writer.Raw("* VANISHED (EARLIER) ").Raw(SequenceSet.Format(vanished)).EndLine();
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.ModSeq > modSeq)
            {
                _writer.Raw("* ").Number((ulong)(i + 1)).Raw(" FETCH (UID ").Number(m.Uid).Raw(" ");
                WriteFlags(m, selected.Recent.Contains(m.Uid));
                _writer.Raw(" MODSEQ (").Number(m.ModSeq).Raw("))").EndLine();
                await _writer.MaybeFlushAsync(ct);
            }
        }
    }

    private async ValueTask CloseAsync(string tag, ImapParser p, bool expunge, CancellationToken ct)
    {
        p.ExpectEnd();
        await UnselectAsync(expunge, ct);
        Tagged(tag, "OK", expunge ? "CLOSE completed" : "UNSELECT completed");
    }

    private async ValueTask UnselectAsync(bool expunge, CancellationToken ct)
    {
        var selected = _selected;
        if (selected is null)
        {
            return;
        }

        _selected = null;
        _state = SessionState.Authenticated;
        _saved = null;
        try
        {
            if (expunge && !selected.ReadOnly)
            {
                await selected.Folder.ExpungeAsync(cancellationToken: ct);
            }
        }
        finally
        {
            await selected.Folder.DisposeAsync();
        }
    }
}
