using Extensible.Imap.Protocol;

namespace Extensible.Imap;

/// <summary>COPY, MOVE and their UID forms with COPYUID (RFC 4315, RFC 6851).</summary>
internal sealed partial class ImapSession
{
    private async ValueTask CopyAsync(string tag, ImapParser p, bool byUid, bool move, CancellationToken ct)
    {
        p.Space();
        var set = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
        p.Space();
        var target = ReadMailboxPath(p);
        p.ExpectEnd();
        var selected = _selected!;
        if (move && selected.ReadOnly)
        {
            throw new ImapNoException("Mailbox is read-only", "READ-ONLY");
        }

        await FlushUpdatesAsync(allowExpunge: move || byUid, ct);
        var targets = Resolve(set, byUid);
        var name = (byUid ? "UID " : string.Empty) + (move ? "MOVE" : "COPY");
        if (targets.Count == 0)
        {
            await OkAsync(tag, name + " completed, nothing to do", allowExpunge: byUid, ct: ct);
            return;
        }

        if (await _mailbox!.GetStatusAsync(target, ct) is null)
        {
            throw new ImapNoException("Target mailbox does not exist", "TRYCREATE");
        }

        var uids = targets.Select(t => t.Uid).ToList();
        var result = move ? await selected.Folder.MoveAsync(uids, target, ct) : await selected.Folder.CopyAsync(uids, target, ct);
        var code = result.SourceUids.Count == 0
            ? null
            : $"COPYUID {result.TargetUidValidity} {string.Join(',', result.SourceUids)} {string.Join(',', result.TargetUids)}";
        if (move)
        {
            if (code is not null)
            {
                _writer.Raw("* OK [").Raw(code).Raw("] Moved").EndLine();
            }

            ReportExpunged(result.SourceUids.Order().ToList());
            await OkAsync(tag, name + " completed", ct: ct);
            return;
        }

        await OkAsync(tag, name + " completed", allowExpunge: byUid, code: code, ct: ct);
    }
}
