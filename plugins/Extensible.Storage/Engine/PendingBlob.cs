namespace Extensible.Storage.Engine;

/// <summary>Message bytes made durable but not yet referenced by a committed row: inline bytes, or a fsync'd file.</summary>
/// <param name="Size">Exact size in bytes.</param>
/// <param name="Inline">The bytes, for a message small enough to live in the database.</param>
/// <param name="RelativeFile">The file's path under the messages directory, else null.</param>
/// <param name="FullPath">The file's absolute path, else null.</param>
/// <param name="Directory">The file's directory, fsync'd by the committer before the row commits.</param>
internal sealed record PendingBlob(long Size, byte[]? Inline, string? RelativeFile, string? FullPath, string? Directory)
{
    /// <summary>Removes the file of a blob whose commit failed; best effort, the start-up check removes what remains.</summary>
    public void Discard()
    {
        if (FullPath is not null)
        {
            try
            {
                File.Delete(FullPath);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
