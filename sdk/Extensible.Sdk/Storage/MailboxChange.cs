namespace Extensible.Sdk.Storage;

/// <summary>What happened in a folder.</summary>
public enum MailboxChangeKind
{
    /// <summary>Messages were added.</summary>
    Appended,

    /// <summary>Flags or keywords of messages changed.</summary>
    FlagsChanged,

    /// <summary>Messages were removed.</summary>
    Expunged,

    /// <summary>The folder was created.</summary>
    FolderCreated,

    /// <summary>The folder was deleted.</summary>
    FolderDeleted,

    /// <summary>The folder was renamed; <see cref="MailboxChange.NewPath"/> holds its new path.</summary>
    FolderRenamed,
}

/// <summary>One committed change, delivered to watchers in commit order per account.</summary>
/// <param name="FolderPath">The folder.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Uids">The messages concerned, ascending.</param>
/// <param name="ModSeq">The MODSEQ of the change.</param>
/// <param name="NewPath">New path for a rename, else null.</param>
public sealed record MailboxChange(string FolderPath, MailboxChangeKind Kind, IReadOnlyList<uint> Uids, ulong ModSeq, string? NewPath = null);
