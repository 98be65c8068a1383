namespace Extensible.Sdk.Storage;

/// <summary>RFC 6154 special-use attribute of a folder.</summary>
public enum SpecialUse
{
    /// <summary>An ordinary folder.</summary>
    None,

    /// <summary>\All.</summary>
    All,

    /// <summary>\Archive.</summary>
    Archive,

    /// <summary>\Drafts.</summary>
    Drafts,

    /// <summary>\Flagged.</summary>
    Flagged,

    /// <summary>\Junk.</summary>
    Junk,

    /// <summary>\Sent.</summary>
    Sent,

    /// <summary>\Trash.</summary>
    Trash,
}
