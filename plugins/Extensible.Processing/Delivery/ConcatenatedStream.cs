namespace Extensible.Processing.Delivery;

/// <summary>A forward-only read stream over small in-memory parts followed by the rest of a source it owns.</summary>
internal sealed class ConcatenatedStream(IReadOnlyList<Stream> heads, Stream tail) : Stream
{
    private int _index;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (true)
        {
            var current = _index < heads.Count ? heads[_index] : tail;
            var read = current.Read(buffer);
            if (read > 0 || current == tail || buffer.Length == 0)
            {
                _position += read;
                return read;
            }
            _index++;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var current = _index < heads.Count ? heads[_index] : tail;
            var read = await current.ReadAsync(buffer, cancellationToken);
            if (read > 0 || current == tail || buffer.Length == 0)
            {
                _position += read;
                return read;
            }
            _index++;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var head in heads)
            {
                head.Dispose();
            }
            tail.Dispose();
        }
        base.Dispose(disposing);
    }
}
