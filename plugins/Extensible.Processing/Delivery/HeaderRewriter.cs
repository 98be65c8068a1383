using System.Text;
using Extensible.Processing.Queue;

namespace Extensible.Processing.Delivery;

/// <summary>Applies the filters' header edits to a message as it is read for delivery, streaming the body.</summary>
public static class HeaderRewriter
{
    /// <summary>Header blocks larger than this are passed through unchanged by removals (prepends still apply).</summary>
    public const int MaxHeaderBlock = 1024 * 1024;

    /// <summary>Wraps <paramref name="source"/> (positioned at the start) so it reads as the message to deliver; takes ownership.</summary>
    public static async ValueTask<Stream> ApplyAsync(Stream source, IReadOnlyList<HeaderEdit> edits, CancellationToken cancellationToken)
    {
        if (edits.Count == 0)
        {
            return source;
        }
        var removed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var prepends = new List<HeaderEdit>();
        foreach (var edit in edits)
        {
            if (edit.Value is null)
            {
                removed.Add(edit.Name);
                prepends.RemoveAll(p => string.Equals(p.Name, edit.Name, StringComparison.OrdinalIgnoreCase));
            }
            else
            {
                prepends.Add(edit);
            }
        }
        var top = new StringBuilder();
        // Each prepend goes on top of the ones before it, as trace headers do.
        for (var i = prepends.Count - 1; i >= 0; i--)
        {
            top.Append(prepends[i].Name).Append(": ").Append(prepends[i].Value).Append("\r\n");
        }
        var prefix = Encoding.UTF8.GetBytes(top.ToString());
        if (removed.Count == 0)
        {
            return new ConcatenatedStream([new MemoryStream(prefix, writable: false)], source);
        }
        var (block, complete) = await ReadHeaderBlockAsync(source, cancellationToken);
        var kept = complete ? FilterHeaders(block, removed) : block;
        return new ConcatenatedStream([new MemoryStream(prefix, writable: false), new MemoryStream(kept, writable: false)], source);
    }

    /// <summary>Reads up to and including the blank line after the header block (or up to the cap); the body stays in the stream.</summary>
    private static async ValueTask<(byte[] Block, bool Complete)> ReadHeaderBlockAsync(Stream source, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var one = new byte[1];
        var lineStart = true;
        // Byte at a time through a buffered source: header blocks are small and this never reads into the body.
        while (buffer.Length < MaxHeaderBlock)
        {
            var read = await source.ReadAsync(one, cancellationToken);
            if (read == 0)
            {
                return (buffer.ToArray(), true);
            }
            buffer.WriteByte(one[0]);
            switch (one[0])
            {
                case (byte)'\n':
                    if (lineStart)
                    {
                        return (buffer.ToArray(), true);
                    }
                    lineStart = true;
                    break;
                case (byte)'\r':
                    break;
                default:
                    lineStart = false;
                    break;
            }
        }
        return (buffer.ToArray(), false);
    }

    private static byte[] FilterHeaders(byte[] block, HashSet<string> removed)
    {
        using var output = new MemoryStream(block.Length);
        var skipping = false;
        var position = 0;
        while (position < block.Length)
        {
            var end = Array.IndexOf(block, (byte)'\n', position);
            end = end < 0 ? block.Length : end + 1;
            var line = block.AsSpan(position, end - position);
            var continuation = line.Length > 0 && (line[0] == (byte)' ' || line[0] == (byte)'\t');
            var blank = line.Length <= 2 && line.Trim("\r\n"u8).IsEmpty;
            if (!continuation)
            {
                skipping = false;
                if (!blank)
                {
                    var colon = line.IndexOf((byte)':');
                    if (colon > 0)
                    {
                        var name = Encoding.ASCII.GetString(line[..colon]).Trim();
                        skipping = removed.Contains(name);
                    }
                }
            }
            if (!skipping)
            {
                output.Write(line);
            }
            position = end;
        }
        return output.ToArray();
    }
}
