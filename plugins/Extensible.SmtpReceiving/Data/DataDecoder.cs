namespace Extensible.SmtpReceiving.Data;

/// <summary>
/// Turns DATA (dot-stuffed, ended by CRLF.CRLF only) or BDAT content into message bytes in the spool, checking as it goes:
/// bare CR or LF, lines over 1000 octets, the size limit, and the Received: headers (mail loops).
/// </summary>
/// <remarks>A bare LF or CR never ends a line or the data, so <c>\n.\n</c> and its cousins stay inside the message, which is then refused.</remarks>
internal sealed class DataDecoder(MessageSpool spool, long maxSize, bool dotStuffed)
{
    private const int MaxLineOctets = 998;
    private static readonly byte[] ReceivedPrefix = "received:"u8.ToArray();

    private State _state = State.LineStart;
    private bool _inHeaders = true;
    private int _lineLength;
    private int _headerMatch;

    private enum State
    {
        LineStart,
        Dot,
        DotCr,
        Text,
        Cr,
    }

    /// <summary>Message bytes seen so far (after unstuffing), including those not spooled once over the limit.</summary>
    public long Size { get; private set; }

    /// <summary>True once the message outgrew the size limit; nothing more is spooled.</summary>
    public bool TooBig { get; private set; }

    /// <summary>True when a CR or LF appeared outside a CRLF pair.</summary>
    public bool BareLineEnding { get; private set; }

    /// <summary>True when a line was longer than 998 octets plus CRLF.</summary>
    public bool LineTooLong { get; private set; }

    /// <summary>Received: headers found in the message's header section.</summary>
    public int ReceivedHeaders { get; private set; }

    /// <summary>True when BDAT content ended in the middle of a CRLF pair.</summary>
    public bool EndsInsideLineEnding => _state == State.Cr;

    /// <summary>Consumes input; for DATA returns true at the end marker, with <paramref name="consumed"/> counting up to and including it.</summary>
    public bool Process(ReadOnlySpan<byte> input, out int consumed)
    {
        var i = 0;
        while (i < input.Length)
        {
            switch (_state)
            {
                case State.LineStart:
                    _lineLength = 0;
                    _headerMatch = _inHeaders ? 0 : -1;
                    if (dotStuffed && input[i] == (byte)'.')
                    {
                        _state = State.Dot;
                        _lineLength = 1;
                        _headerMatch = -1;
                        i++;
                    }
                    else
                    {
                        _state = State.Text;
                    }

                    break;

                case State.Dot:
                    if (input[i] == (byte)'\r')
                    {
                        _state = State.DotCr;
                        i++;
                    }
                    else
                    {
                        _state = State.Text; // the leading dot is dropped (RFC 5321 4.5.2)
                    }

                    break;

                case State.DotCr:
                    if (input[i] == (byte)'\n')
                    {
                        consumed = i + 1;
                        return true;
                    }

                    // ".\r" not followed by LF: a bare CR; the dot line is content.
                    BareLineEnding = true;
                    Emit("\r"u8);
                    _state = State.Text;
                    break;

                case State.Cr:
                    if (input[i] == (byte)'\n')
                    {
                        Emit("\r\n"u8);
                        i++;
                        EndLine();
                    }
                    else
                    {
                        BareLineEnding = true;
                        Emit("\r"u8);
                        _state = State.Text;
                    }

                    break;

                default:
                    i += Text(input[i..]);
                    break;
            }
        }

        consumed = input.Length;
        return false;
    }

    private int Text(ReadOnlySpan<byte> input)
    {
        var i = 0;
        while (_headerMatch >= 0 && i < input.Length)
        {
            var b = input[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                _headerMatch = -1;
                break;
            }

            if ((b | 0x20) == ReceivedPrefix[_headerMatch] && b > 0x20)
            {
                if (++_headerMatch == ReceivedPrefix.Length)
                {
                    ReceivedHeaders++;
                    _headerMatch = -1;
                }
            }
            else
            {
                _headerMatch = -1;
            }

            i++;
        }

        if (i > 0)
        {
            Emit(input[..i]);
            AddToLine(i);
        }

        var rest = input[i..];
        var end = rest.IndexOfAny((byte)'\r', (byte)'\n');
        var run = end < 0 ? rest.Length : end;
        if (run > 0)
        {
            Emit(rest[..run]);
            AddToLine(run);
        }

        if (end < 0)
        {
            return input.Length;
        }

        if (rest[end] == (byte)'\r')
        {
            _state = State.Cr;
        }
        else
        {
            BareLineEnding = true; // a bare LF is content, never a line end
            Emit("\n"u8);
        }

        return i + run + 1;
    }

    private void AddToLine(int count)
    {
        _lineLength += count;
        if (_lineLength > MaxLineOctets)
        {
            LineTooLong = true;
        }
    }

    private void EndLine()
    {
        if (_inHeaders && _lineLength == 0)
        {
            _inHeaders = false;
        }

        _state = State.LineStart;
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        Size += bytes.Length;
        if (TooBig)
        {
            return;
        }

        if (Size > maxSize)
        {
            TooBig = true;
            return;
        }

        spool.Write(bytes);
    }
}
