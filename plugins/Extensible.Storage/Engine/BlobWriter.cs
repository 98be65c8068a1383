using System.Buffers;
using System.Security.Cryptography;
using Extensible.Sdk.Storage;

namespace Extensible.Storage.Engine;

/// <summary>Streams a message into inline bytes (small) or a temporary file that is fsync'd and renamed (large), with bounded memory.</summary>
internal sealed class BlobWriter(string messagesDirectory, SyncPool syncPool, StorageOptions options)
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Copies <paramref name="content"/> to durable storage; the result still needs a committed row.</summary>
    public async Task<PendingBlob> WriteAsync(Stream content, CancellationToken cancellationToken)
    {
        var threshold = Math.Max(0, options.InlineThreshold);
        var max = options.MaxMessageSize > 0 ? options.MaxMessageSize : long.MaxValue;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(threshold + 1, ChunkSize));
        try
        {
            var filled = 0;
            while (filled <= threshold)
            {
                var read = await content.ReadAsync(buffer.AsMemory(filled, threshold + 1 - filled), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            if (filled <= threshold)
            {
                if (filled > max)
                {
                    throw TooLarge(max);
                }

                return new PendingBlob(filled, buffer.AsSpan(0, filled).ToArray(), null, null, null);
            }

            return await WriteFileAsync(content, buffer, filled, max, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<PendingBlob> WriteFileAsync(Stream content, byte[] buffer, int filled, long max, CancellationToken cancellationToken)
    {
        var bucket = DateTime.UtcNow.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);
        var directory = Path.Combine(messagesDirectory, bucket);
        Directory.CreateDirectory(directory);
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var temporary = Path.Combine(directory, name + ".tmp");
        var final = Path.Combine(directory, name);
        long size = 0;
        try
        {
            using (var handle = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None))
            {
                var pending = filled;
                while (true)
                {
                    if (pending > 0)
                    {
                        if (size + pending > max)
                        {
                            throw TooLarge(max);
                        }

                        await RandomAccess.WriteAsync(handle, buffer.AsMemory(0, pending), size, cancellationToken);
                        size += pending;
                    }

                    pending = await content.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, ChunkSize)), cancellationToken);
                    if (pending == 0)
                    {
                        break;
                    }
                }

                await syncPool.FlushAsync(handle);
            }

            File.Move(temporary, final);
        }
        catch (Exception ex)
        {
            TryDelete(temporary);
            if (ex is IOException io and not FileNotFoundException and not DirectoryNotFoundException)
            {
                throw new StoreException(StoreError.Unavailable, "the message could not be written; try again later", io);
            }

            throw;
        }

        return new PendingBlob(size, null, bucket + "/" + name, final, directory);
    }

    private static StoreException TooLarge(long max) =>
        new(StoreError.TooLarge, $"the message is larger than the {max} bytes this server accepts");

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
