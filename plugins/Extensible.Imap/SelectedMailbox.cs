using Extensible.Sdk.Storage;

namespace Extensible.Imap;

/// <summary>The selected folder as this session's client sees it: the UIDs in sequence order and the MODSEQ reported.</summary>
internal sealed class SelectedMailbox(IMessageFolder folder, string path, bool readOnly, List<uint> uids)
{
    /// <summary>The open folder.</summary>
    public IMessageFolder Folder { get; } = folder;

    /// <summary>The folder's store path.</summary>
    public string Path { get; } = path;

    /// <summary>True after EXAMINE.</summary>
    public bool ReadOnly { get; } = readOnly;

    /// <summary>UIDs ascending; index + 1 is the sequence number the client knows.</summary>
    public List<uint> Uids { get; } = uids;

    /// <summary>MODSEQs of flag changes this session made and already reported.</summary>
    public HashSet<ulong> OwnModSeqs { get; } = [];

    /// <summary>The highest MODSEQ the session has seen.</summary>
    public ulong HighestModSeq { get; set; }

    /// <summary>UIDs that are \Recent for this session (RFC 3501): it was the first to see them.</summary>
    public HashSet<uint> Recent { get; } = [];

    /// <summary>Number of messages the client knows.</summary>
    public uint Count => (uint)Uids.Count;

    /// <summary>The largest UID, or 0 when empty.</summary>
    public uint MaxUid => Uids.Count == 0 ? 0 : Uids[^1];

    /// <summary>Sequence number of a UID, or 0 when the client does not know it.</summary>
    public uint SequenceOf(uint uid)
    {
        var index = Uids.BinarySearch(uid);
        return index < 0 ? 0 : (uint)(index + 1);
    }

    /// <summary>Remembers a MODSEQ of this session's own change, bounded so it cannot grow without limit.</summary>
    public void RememberOwn(ulong modSeq)
    {
        if (OwnModSeqs.Count > 4096)
        {
            OwnModSeqs.Clear();
        }

        OwnModSeqs.Add(modSeq);
    }
}
