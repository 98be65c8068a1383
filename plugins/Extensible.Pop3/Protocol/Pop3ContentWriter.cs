using System.Buffers;
using System.IO.Pipelines;

namespace Extensible.Pop3.Protocol;

/// <summary>Writes a message as an RFC 1939 multi-line body: dot-stuffed, CRLF line ends, optionally cut as TOP asks.</summary>
/// <remarks>Keeps only a few bytes of state between chunks, so a message of any size streams through it.</remarks>
public sealed class Pop3ContentWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    private readonly PipeWriter _output;
    private readonly int _bodyLines;
    private bool _lineStart = true;
    private long _lineBytes;
    private byte _lastByte;
    private bool _inHeaders = true;
    private int _bodyLinesLeft;
    private bool _done;

    /// <summary>Creates a writer; <paramref name="bodyLines"/> is TOP's line count, or negative for the whole message.</summary>
    public Pop3ContentWriter(PipeWriter output, int bodyLines = -1)
    {
        _output = output;
        _bodyLines = bodyLines;
        _bodyLinesLeft = bodyLines;
    }

    /// <summary>True once TOP's lines are written and the rest of the message can be skipped.</summary>
    public bool IsDone => _done;

    /// <summary>Writes the next chunk of the message.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && !_done)
        {
            if (_lineStart)
            {
                if (data[i] == (byte)'.')
                {
                    _output.Write("."u8);
                }

                _lineStart = false;
                _lineBytes = 0;
            }

            var rest = data[i..];
            var newline = rest.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _output.Write(rest);
                _lineBytes += rest.Length;
                _lastByte = rest[^1];
                return;
            }

            var segment = rest[..newline];
            var hasCr = newline > 0 ? segment[^1] == (byte)'\r' : _lineBytes > 0 && _lastByte == (byte)'\r';
            if (hasCr)
            {
                _output.Write(rest[..(newline + 1)]);
            }
            else
            {
                // A bare LF becomes CRLF: RFC 1939 requires CRLF on the wire.
                _output.Write(segment);
                _output.Write(Crlf);
            }

            var length = _lineBytes + newline - (hasCr ? 1 : 0);
            EndLine(length == 0);
            _lastByte = (byte)'\n';
            i += newline + 1;
        }
    }

    /// <summary>Ends the body: closes an unterminated last line with CRLF, then writes the terminating <c>.</c> line.</summary>
    public void Complete()
    {
        if (!_lineStart)
        {
            _output.Write(Crlf);
        }

        _output.Write(".\r\n"u8);
    }

    private void EndLine(bool empty)
    {
        _lineStart = true;
        if (_bodyLines < 0)
        {
            return;
        }

        if (_inHeaders)
        {
            if (empty)
            {
                _inHeaders = false;
                _done = _bodyLinesLeft == 0;
            }

            return;
        }

        _bodyLinesLeft--;
        _done = _bodyLinesLeft <= 0;
    }
}
