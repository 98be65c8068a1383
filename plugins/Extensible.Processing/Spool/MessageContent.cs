using System.Buffers;

namespace Extensible.Processing.Spool;

/// <summary>A message's bytes from submission to its first delivery attempt: in memory when small, else in a spool file.</summary>
/// <remarks>Only a cache of what the queue database holds once committed; after a crash the database has everything.</remarks>
public sealed class MessageContent : IDisposable
{
    private readonly MemorySpoolBudget? _budget;
    private int _disposed;

    private MessageContent(byte[]? bytes, string? path, long size, MemorySpoolBudget? budget)
    {
        Bytes = bytes;
        SpoolPath = path;
        Size = size;
        _budget = budget;
    }

    /// <summary>The whole message, exactly <see cref="Size"/> bytes, when held in memory; else null.</summary>
    public byte[]? Bytes { get; }

    /// <summary>The spool file holding the message, when it was too large for memory; else null.</summary>
    public string? SpoolPath { get; }

    /// <summary>The message's size in bytes.</summary>
    public long Size { get; }

    /// <summary>Reads <paramref name="source"/> to its end into memory (up to <paramref name="memoryLimit"/> bytes while the budget allows) or into a new file at <paramref name="spoolPath"/>.</summary>
    public static async Task<MessageContent> ReadAsync(Stream source, string spoolPath, int memoryLimit, MemorySpoolBudget budget, CancellationToken cancellationToken)
    {
        var expected = source.CanSeek ? Math.Max(0, source.Length - source.Position) : memoryLimit;
        var probe = (int)Math.Min(memoryLimit, expected) + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(probe, 81920));
        try
        {
            var filled = 0;
            while (filled < buffer.Length)
            {
                var read = await source.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    if (filled <= memoryLimit && budget.TryReserve(filled))
                    {
                        return new MessageContent(buffer.AsSpan(0, filled).ToArray(), null, filled, budget);
                    }

                    break;
                }

                filled += read;
                if (filled == buffer.Length && filled <= memoryLimit)
                {
                    // The stream was longer than it said (or unseekable): grow while still under the memory limit.
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(memoryLimit + 1, buffer.Length * 2));
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return await SpillAsync(source, buffer.AsMemory(0, filled), spoolPath, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Opens the content from its start; the stream is the caller's to dispose.</summary>
    public Stream OpenRead() => Bytes is not null
        ? new MemoryStream(Bytes, 0, Bytes.Length, writable: false, publiclyVisible: true)
        : new FileStream(SpoolPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 65536, FileOptions.Asynchronous);

    /// <summary>Gives the memory back to the budget, or deletes the spool file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (Bytes is not null)
        {
            _budget?.Release(Bytes.Length);
        }
        else if (SpoolPath is not null)
        {
            try
            {
                File.Delete(SpoolPath);
            }
            catch (IOException)
            {
                // Cleared at the next start.
            }
        }
    }

    private static async Task<MessageContent> SpillAsync(Stream source, ReadOnlyMemory<byte> head, string spoolPath, CancellationToken cancellationToken)
    {
        var created = false;
        try
        {
            long size;
            await using (var spool = new FileStream(spoolPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 65536, FileOptions.Asynchronous))
            {
                created = true;
                await spool.WriteAsync(head, cancellationToken);
                await source.CopyToAsync(spool, cancellationToken);
                size = spool.Length;
            }

            return new MessageContent(null, spoolPath, size, null);
        }
        catch when (created)
        {
            File.Delete(spoolPath);
            throw;
        }
    }
}
