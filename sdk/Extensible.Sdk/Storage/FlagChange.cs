namespace Extensible.Sdk.Storage;

/// <summary>How a flag update combines with the flags a message has.</summary>
public enum FlagOperation
{
    /// <summary>Adds the flags (IMAP +FLAGS).</summary>
    Add,

    /// <summary>Removes the flags (IMAP -FLAGS).</summary>
    Remove,

    /// <summary>Replaces all flags and keywords (IMAP FLAGS).</summary>
    Replace,
}

/// <summary>A flag update for a set of messages.</summary>
/// <param name="Operation">How to combine.</param>
/// <param name="Flags">System flags.</param>
/// <param name="Keywords">Keywords.</param>
public sealed record FlagChange(FlagOperation Operation, StoreFlags Flags, IReadOnlyCollection<string> Keywords);

/// <summary>The outcome of a flag update.</summary>
/// <param name="Updated">Messages whose flags are now as requested, with their new MODSEQ.</param>
/// <param name="Modified">UIDs not updated because their MODSEQ exceeded UNCHANGEDSINCE (RFC 7162 MODIFIED).</param>
public sealed record FlagUpdateResult(IReadOnlyList<MessageSummary> Updated, IReadOnlyList<uint> Modified);
