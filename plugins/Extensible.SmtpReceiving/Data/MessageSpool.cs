using System.Buffers;

namespace Extensible.SmtpReceiving.Data;

/// <summary>Holds one message as it arrives: in a pooled buffer while small, then in a temporary file deleted on close.</summary>
internal sealed class MessageSpool(string directory, int memoryThreshold) : IAsyncDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(memoryThreshold, 16 * 1024));
    private int _buffered;
    private FileStream? _file;

    /// <summary>Bytes spooled so far.</summary>
    public long Length => (_file?.Length ?? 0) + _buffered;

    /// <summary>Appends bytes; call <see cref="CommitAsync"/> after each read so large messages move to disk.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_buffered + data.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _buffered + data.Length));
            _buffer.AsSpan(0, _buffered).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_buffered));
        _buffered += data.Length;
    }

    /// <summary>Moves buffered bytes to the temporary file once the message outgrows the memory threshold.</summary>
    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        if (_file is null && _buffered <= memoryThreshold)
        {
            return;
        }

        _file ??= new FileStream(
            Path.Combine(directory, Guid.NewGuid().ToString("N")),
            new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 0,
                Options = FileOptions.Asynchronous | FileOptions.DeleteOnClose | FileOptions.SequentialScan,
            });
        await _file.WriteAsync(_buffer.AsMemory(0, _buffered), cancellationToken);
        _buffered = 0;
    }

    /// <summary>A read-only view of the whole message from its start; valid until the next write or <see cref="ResetAsync"/>.</summary>
    public async ValueTask<Stream> OpenReadAsync(CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            return new MemoryStream(_buffer, 0, _buffered, writable: false);
        }

        if (_buffered > 0)
        {
            await _file.WriteAsync(_buffer.AsMemory(0, _buffered), cancellationToken);
            _buffered = 0;
        }

        _file.Position = 0;
        return new ReadOnlyWindowStream(_file);
    }

    /// <summary>Empties the spool for the next message of the session.</summary>
    public async ValueTask ResetAsync()
    {
        _buffered = 0;
        if (_file is not null)
        {
            await _file.DisposeAsync();
            _file = null;
        }

        if (_buffer.Length > memoryThreshold)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
            _file = null;
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
