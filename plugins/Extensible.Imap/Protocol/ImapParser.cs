using System.Text;

namespace Extensible.Imap.Protocol;

/// <summary>Reads the tokens of one command (RFC 9051 section 9 grammar) across its lines and literals.</summary>
internal sealed class ImapParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
    private readonly ImapCommand _command;
    private int _line;
    private int _pos;

    /// <summary>Creates a parser positioned at the start of the command.</summary>
    public ImapParser(ImapCommand command, bool utf8 = true)
    {
        _command = command;
        AllowUtf8 = utf8;
    }

    /// <summary>True when quoted strings may carry UTF-8 (IMAP4rev2, UTF8=ACCEPT); 8-bit is refused otherwise.</summary>
    public bool AllowUtf8 { get; set; }

    private ReadOnlySpan<byte> Current => _command.Lines[_line];

    /// <summary>True when nothing is left of the command.</summary>
    public bool AtEnd => _pos >= Current.Length && _line >= _command.Lines.Count - 1;

    /// <summary>The next byte without consuming it, or -1 at the end of the current line.</summary>
    public int Peek() => _pos < Current.Length ? Current[_pos] : -1;

    /// <summary>Consumes one byte that must be <paramref name="c"/>.</summary>
    public void Expect(char c)
    {
        if (Peek() != c)
        {
            throw new ImapParseException(c == ' ' ? "Missing space" : $"Expected '{c}'");
        }

        _pos++;
    }

    /// <summary>Consumes <paramref name="c"/> when it comes next.</summary>
    public bool TryConsume(char c)
    {
        if (Peek() != c)
        {
            return false;
        }

        _pos++;
        return true;
    }

    /// <summary>Consumes a single space.</summary>
    public void Space() => Expect(' ');

    /// <summary>Fails unless the whole command was read.</summary>
    public void ExpectEnd()
    {
        if (!AtEnd)
        {
            throw new ImapParseException("Unexpected characters at end of command");
        }
    }

    /// <summary>Reads an atom (ATOM-CHAR+); <paramref name="allowBracket"/> admits ']' as astring allows.</summary>
    public string ReadAtom(bool allowBracket = false)
    {
        var span = Current;
        var start = _pos;
        while (_pos < span.Length && IsAtomChar(span[_pos], allowBracket))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw new ImapParseException("Expected an atom");
        }

        return Encoding.ASCII.GetString(span[start.._pos]);
    }

    /// <summary>Reads a tag: astring characters except '+'.</summary>
    public string ReadTag()
    {
        var span = Current;
        var start = _pos;
        while (_pos < span.Length && IsAtomChar(span[_pos], true) && span[_pos] != '+')
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw new ImapParseException("Missing or invalid tag");
        }

        return Encoding.ASCII.GetString(span[start.._pos]);
    }

    /// <summary>Reads characters up to the next space or the end of the line (for sequence sets and similar).</summary>
    public string ReadUntilSpaceOrParen()
    {
        var span = Current;
        var start = _pos;
        while (_pos < span.Length && span[_pos] != ' ' && span[_pos] != ')' && span[_pos] != '(')
        {
            if (span[_pos] < 0x21 || span[_pos] > 0x7e)
            {
                throw new ImapParseException("Invalid character");
            }

            _pos++;
        }

        if (_pos == start)
        {
            throw new ImapParseException("Expected an argument");
        }

        return Encoding.ASCII.GetString(span[start.._pos]);
    }

    /// <summary>Reads a number (RFC 9051 number64 when <paramref name="max"/> allows).</summary>
    public ulong ReadNumber(ulong max = uint.MaxValue)
    {
        var span = Current;
        var start = _pos;
        ulong value = 0;
        while (_pos < span.Length && span[_pos] is >= (byte)'0' and <= (byte)'9')
        {
            var digit = (ulong)(span[_pos] - '0');
            if (value > (max - digit) / 10)
            {
                throw new ImapParseException("Number out of range");
            }

            value = (value * 10) + digit;
            _pos++;
        }

        if (_pos == start)
        {
            throw new ImapParseException("Expected a number");
        }

        return value;
    }

    /// <summary>Reads a non-zero 32-bit number.</summary>
    public uint ReadNzNumber()
    {
        var n = ReadNumber();
        return n == 0 ? throw new ImapParseException("Number must not be zero") : (uint)n;
    }

    /// <summary>Reads an astring (atom, quoted or literal) as UTF-8 text.</summary>
    public string ReadAString()
    {
        var c = Peek();
        return c is '"' or '{' or '~' ? ReadString() : ReadAtom(allowBracket: true);
    }

    /// <summary>Reads an nstring: NIL or a string.</summary>
    public string? ReadNString()
    {
        if (Peek() is 'N' or 'n')
        {
            var atom = ReadAtom();
            return atom.Equals("NIL", StringComparison.OrdinalIgnoreCase) ? null : throw new ImapParseException("Expected NIL or a string");
        }

        return ReadString();
    }

    /// <summary>Reads a quoted string or a literal as UTF-8 text.</summary>
    public string ReadString()
    {
        var c = Peek();
        if (c == '"')
        {
            return ReadQuoted();
        }

        if (c is '{' or '~')
        {
            var literal = ReadLiteral();
            if (literal.Data is null)
            {
                throw new ImapParseException("Literal too large here", "TOOBIG");
            }

            try
            {
                return StrictUtf8.GetString(literal.Data);
            }
            catch (DecoderFallbackException)
            {
                throw new ImapParseException("Literal is not valid UTF-8");
            }
        }

        throw new ImapParseException("Expected a string");
    }

    /// <summary>Reads a literal announcement at the end of the current line and moves to the next line.</summary>
    public ImapLiteral ReadLiteral()
    {
        var span = Current;
        if (_pos < span.Length && span[_pos] == '~')
        {
            _pos++;
        }

        if (_pos >= span.Length || span[_pos] != '{')
        {
            throw new ImapParseException("Expected a literal");
        }

        var close = span[_pos..].IndexOf((byte)'}');
        if (close < 0 || _pos + close != span.Length - 1 || _line >= _command.Literals.Count)
        {
            throw new ImapParseException("Malformed literal");
        }

        var literal = _command.Literals[_line];
        _line++;
        _pos = 0;
        return literal;
    }

    /// <summary>True when a literal starts here.</summary>
    public bool AtLiteral => Peek() is '{' or '~';

    /// <summary>Reads a quoted string with its \\ and \" escapes.</summary>
    public string ReadQuoted()
    {
        Expect('"');
        var span = Current;
        var buffer = new List<byte>();
        while (true)
        {
            if (_pos >= span.Length)
            {
                throw new ImapParseException("Unterminated quoted string");
            }

            var b = span[_pos++];
            if (b == '"')
            {
                break;
            }

            if (b == '\\')
            {
                if (_pos >= span.Length || (span[_pos] != '\\' && span[_pos] != '"'))
                {
                    throw new ImapParseException("Invalid escape in quoted string");
                }

                b = span[_pos++];
            }
            else if (b is 0 or (byte)'\r' or (byte)'\n')
            {
                throw new ImapParseException("Invalid character in quoted string");
            }
            else if (b >= 0x80 && !AllowUtf8)
            {
                throw new ImapParseException("8-bit characters are not allowed in quoted strings");
            }

            buffer.Add(b);
        }

        try
        {
            return StrictUtf8.GetString(buffer.ToArray());
        }
        catch (DecoderFallbackException)
        {
            throw new ImapParseException("Quoted string is not valid UTF-8");
        }
    }

    /// <summary>Reads a mailbox name (astring) in its wire form.</summary>
    public string ReadMailbox() => ReadAString();

    /// <summary>Reads a list-mailbox (LIST pattern): an astring that may also hold '%' and '*'.</summary>
    public string ReadListMailbox()
    {
        var c = Peek();
        if (c is '"' or '{' or '~')
        {
            return ReadString();
        }

        var span = Current;
        var start = _pos;
        while (_pos < span.Length && (IsAtomChar(span[_pos], true) || span[_pos] is (byte)'%' or (byte)'*'))
        {
            _pos++;
        }

        if (_pos == start)
        {
            throw new ImapParseException("Expected a mailbox pattern");
        }

        return Encoding.ASCII.GetString(span[start.._pos]);
    }

    /// <summary>Reads a flag: \Atom or atom.</summary>
    public string ReadFlag()
    {
        if (TryConsume('\\'))
        {
            if (TryConsume('*'))
            {
                return "\\*";
            }

            return "\\" + ReadAtom();
        }

        return ReadAtom();
    }

    /// <summary>Reads a parenthesized list of flags, or a single flag when <paramref name="allowBare"/>.</summary>
    public List<string> ReadFlagList(bool allowBare)
    {
        var flags = new List<string>();
        if (!TryConsume('('))
        {
            if (!allowBare)
            {
                throw new ImapParseException("Expected a flag list");
            }

            flags.Add(ReadFlag());
            while (Peek() == ' ' && PeekAfterSpaceIsFlag())
            {
                Space();
                flags.Add(ReadFlag());
            }

            return flags;
        }

        if (TryConsume(')'))
        {
            return flags;
        }

        do
        {
            flags.Add(ReadFlag());
        }
        while (TryConsume(' '));
        Expect(')');
        return flags;
    }

    private bool PeekAfterSpaceIsFlag()
    {
        var span = Current;
        return _pos + 1 < span.Length && (span[_pos + 1] == '\\' || IsAtomChar(span[_pos + 1], false));
    }

    /// <summary>True for ATOM-CHAR (any CHAR except atom-specials); ']' when <paramref name="allowBracket"/>.</summary>
    public static bool IsAtomChar(byte b, bool allowBracket) => b switch
    {
        < 0x21 or >= 0x7f => false,
        (byte)'(' or (byte)')' or (byte)'{' or (byte)'%' or (byte)'*' or (byte)'"' or (byte)'\\' => false,
        (byte)']' => allowBracket,
        _ => true,
    };

    /// <summary>The atom starting here, without consuming it (empty when none).</summary>
    public string PeekWord()
    {
        var span = Current;
        var end = _pos;
        while (end < span.Length && IsAtomChar(span[end], false))
        {
            end++;
        }

        return Encoding.ASCII.GetString(span[_pos..end]);
    }

    /// <summary>Consumes the atom starting here; returns true.</summary>
    public bool ConsumeWord()
    {
        ReadAtom();
        return true;
    }
}
