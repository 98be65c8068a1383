namespace Extensible.Hosting.Loading;

/// <summary>What a plugin folder holds, summarized so a copy in progress or a replacement shows up as a change.</summary>
/// <param name="Files">Number of files, subfolders included.</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="NewestWriteUtc">The newest last-write time among them.</param>
/// <remarks>File copies may keep the source's write times, so the count and size are compared too.</remarks>
public readonly record struct FolderSignature(int Files, long Bytes, DateTime NewestWriteUtc)
{
    /// <summary>The signature of a folder that cannot be read or is gone.</summary>
    public static FolderSignature None { get; } = new(0, 0, DateTime.MinValue);

    /// <summary>Reads the signature of <paramref name="folder"/>; <see cref="None"/> when it cannot be read.</summary>
    public static FolderSignature Of(string folder)
    {
        try
        {
            var files = 0;
            var bytes = 0L;
            var newest = DateTime.MinValue;
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                files++;
                bytes += file.Length;
                newest = file.LastWriteTimeUtc > newest ? file.LastWriteTimeUtc : newest;
            }

            return new FolderSignature(files, bytes, newest);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return None;
        }
    }
}
