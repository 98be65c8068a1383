namespace Extensible.Imap.Protocol;

/// <summary>One literal of a command: small ones in memory, large APPEND messages in a temporary file deleted on dispose.</summary>
internal sealed class ImapLiteral : IDisposable
{
    private readonly byte[]? _data;
    private readonly string? _spoolPath;

    private ImapLiteral(byte[]? data, string? spoolPath, long length, bool binary)
    {
        _data = data;
        _spoolPath = spoolPath;
        Length = length;
        IsBinary = binary;
    }

    /// <summary>The literal's length in bytes.</summary>
    public long Length { get; }

    /// <summary>True for a literal8 (<c>~{n}</c>, RFC 3516).</summary>
    public bool IsBinary { get; }

    /// <summary>The bytes of an in-memory literal, or null when spooled.</summary>
    public byte[]? Data => _data;

    /// <summary>Creates an in-memory literal.</summary>
    public static ImapLiteral InMemory(byte[] data, bool binary) => new(data, null, data.Length, binary);

    /// <summary>Creates a literal held in a temporary file.</summary>
    public static ImapLiteral Spooled(string path, long length, bool binary) => new(null, path, length, binary);

    /// <summary>Opens the literal's bytes for reading from the start.</summary>
    public Stream OpenRead() => _data is not null
        ? new MemoryStream(_data, writable: false)
        : new FileStream(_spoolPath!, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>Deletes the spool file, if any.</summary>
    public void Dispose()
    {
        if (_spoolPath is not null)
        {
            try
            {
                File.Delete(_spoolPath);
            }
            catch (IOException)
            {
                // A leftover temp file is harmless; the OS temp cleaner takes it.
            }
        }
    }
}
