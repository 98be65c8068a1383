namespace Extensible.Sdk.Storage;

/// <summary>The counters IMAP STATUS and SELECT report for a folder, read at one instant.</summary>
/// <param name="Messages">Messages in the folder.</param>
/// <param name="Unseen">Messages without \Seen.</param>
/// <param name="Deleted">Messages with \Deleted.</param>
/// <param name="UidNext">The UID the next message will get.</param>
/// <param name="UidValidity">The folder's UIDVALIDITY.</param>
/// <param name="HighestModSeq">The highest MODSEQ of any change in the folder (RFC 7162).</param>
/// <param name="Size">Total bytes of the folder's messages (STATUS=SIZE).</param>
public sealed record FolderStatus(uint Messages, uint Unseen, uint Deleted, uint UidNext, uint UidValidity, ulong HighestModSeq, long Size);
