namespace Extensible.Sdk.Storage;

/// <summary>What the store keeps about one message besides its bytes.</summary>
/// <param name="Uid">UID, strictly ascending within the folder.</param>
/// <param name="Size">Exact size in bytes of the stored message (RFC822.SIZE).</param>
/// <param name="Flags">System flags.</param>
/// <param name="Keywords">Keywords (user flags), case-preserved.</param>
/// <param name="InternalDate">INTERNALDATE.</param>
/// <param name="ModSeq">MODSEQ of the message's last change (RFC 7162).</param>
public sealed record MessageSummary(uint Uid, long Size, StoreFlags Flags, IReadOnlyList<string> Keywords, DateTimeOffset InternalDate, ulong ModSeq);
