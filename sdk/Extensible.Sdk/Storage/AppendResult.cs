namespace Extensible.Sdk.Storage;

/// <summary>A message durably appended (RFC 4315 APPENDUID).</summary>
/// <param name="UidValidity">The folder's UIDVALIDITY.</param>
/// <param name="Uid">The new message's UID.</param>
/// <param name="ModSeq">The MODSEQ of the append.</param>
public sealed record AppendResult(uint UidValidity, uint Uid, ulong ModSeq);

/// <summary>Messages copied or moved (RFC 4315 COPYUID).</summary>
/// <param name="TargetUidValidity">UIDVALIDITY of the target folder.</param>
/// <param name="SourceUids">UIDs in the source, in order.</param>
/// <param name="TargetUids">The new UIDs in the target, matching <paramref name="SourceUids"/> one by one.</param>
public sealed record CopyResult(uint TargetUidValidity, IReadOnlyList<uint> SourceUids, IReadOnlyList<uint> TargetUids);

/// <summary>Use of an account's quota (RFC 9208 STORAGE and MESSAGE resources).</summary>
/// <param name="UsedBytes">Bytes stored.</param>
/// <param name="UsedMessages">Messages stored.</param>
/// <param name="Limit">The account's limits.</param>
public sealed record QuotaUsage(long UsedBytes, long UsedMessages, Users.StorageQuota Limit);
