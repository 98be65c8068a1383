namespace Extensible.Storage.Engine;

/// <summary>What the start-up check found and repaired.</summary>
/// <param name="Messages">Messages in the store after the check.</param>
/// <param name="TemporaryFilesRemoved">Unfinished temporary files removed.</param>
/// <param name="OrphanFilesRemoved">Message files no row referred to, removed.</param>
/// <param name="DanglingMessagesRemoved">Message rows whose file was missing, removed.</param>
/// <param name="UnreferencedBlobsRemoved">Stored contents no message referred to, removed.</param>
/// <param name="CountersFixed">Reference counts or quota counters corrected.</param>
public sealed record ConsistencyReport(long Messages, int TemporaryFilesRemoved, int OrphanFilesRemoved, int DanglingMessagesRemoved, int UnreferencedBlobsRemoved, int CountersFixed)
{
    /// <summary>True when anything was repaired.</summary>
    public bool Repaired => TemporaryFilesRemoved + OrphanFilesRemoved + DanglingMessagesRemoved + UnreferencedBlobsRemoved + CountersFixed > 0;
}
