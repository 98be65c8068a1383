using System.Buffers;

namespace Extensible.Sdk.Connections;

/// <summary>Splits protocol input into lines with a length limit, without copying.</summary>
public static class LineReader
{
    /// <summary>Reads one line (without its line ending) from the front of <paramref name="buffer"/> and advances past it.</summary>
    /// <remarks>
    /// On <see cref="LineStatus.TooLong"/> without a line end in sight, the whole buffer is consumed and
    /// <paramref name="lineEndSeen"/> is false: call <see cref="SkipLine"/> on later input until it returns true.
    /// </remarks>
    public static LineStatus TryReadLine(ref ReadOnlySequence<byte> buffer, int maxLength, out ReadOnlySequence<byte> line, out bool lineEndSeen)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out line, (byte)'\n', advancePastDelimiter: true))
        {
            line = default;
            if (buffer.Length > maxLength + 1)
            {
                buffer = buffer.Slice(buffer.End);
                lineEndSeen = false;
                return LineStatus.TooLong;
            }

            lineEndSeen = false;
            return LineStatus.Incomplete;
        }

        buffer = buffer.Slice(reader.Position);
        lineEndSeen = true;
        var crlf = line.Length > 0 && EndsWithCr(line);
        if (crlf)
        {
            line = line.Slice(0, line.Length - 1);
        }

        if (line.Length > maxLength)
        {
            line = default;
            return LineStatus.TooLong;
        }

        return crlf ? LineStatus.Complete : LineStatus.BareLineFeed;
    }

    /// <summary>Discards input up to and including the next LF; returns true when it was found.</summary>
    public static bool SkipLine(ref ReadOnlySequence<byte> buffer)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            buffer = buffer.Slice(buffer.End);
            return false;
        }

        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> line)
    {
        if (line.IsSingleSegment)
        {
            return line.FirstSpan[^1] == (byte)'\r';
        }

        var last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
