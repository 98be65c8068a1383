using System.Text;

namespace Extensible.Imap.Protocol;

/// <summary>Parses FETCH attribute lists, macros and sections.</summary>
internal static class FetchParser
{
    /// <summary>Reads a FETCH item, a macro, or a parenthesized list of items.</summary>
    public static List<FetchItem> ReadItems(ImapParser p)
    {
        var items = new List<FetchItem>();
        if (p.TryConsume('('))
        {
            do
            {
                items.AddRange(ReadItem(p, allowMacro: false));
            }
            while (p.TryConsume(' '));
            p.Expect(')');
        }
        else
        {
            items.AddRange(ReadItem(p, allowMacro: true));
        }

        return items;
    }

    private static string ReadName(ImapParser p)
    {
        var sb = new StringBuilder();
        while (p.Peek() is var c and > 0 && c != '[' && c != ']' && ImapParser.IsAtomChar((byte)c, false))
        {
            sb.Append((char)c);
            p.TryConsume((char)c);
        }

        return sb.Length == 0 ? throw new ImapParseException("Expected a FETCH item") : sb.ToString().ToUpperInvariant();
    }

    private static IEnumerable<FetchItem> ReadItem(ImapParser p, bool allowMacro)
    {
        var name = ReadName(p);
        switch (name)
        {
            case "ALL" when allowMacro:
                return [Simple(FetchKind.Flags, "FLAGS"), Simple(FetchKind.InternalDate, "INTERNALDATE"), Simple(FetchKind.Size, "RFC822.SIZE"), Simple(FetchKind.Envelope, "ENVELOPE")];
            case "FAST" when allowMacro:
                return [Simple(FetchKind.Flags, "FLAGS"), Simple(FetchKind.InternalDate, "INTERNALDATE"), Simple(FetchKind.Size, "RFC822.SIZE")];
            case "FULL" when allowMacro:
                return [Simple(FetchKind.Flags, "FLAGS"), Simple(FetchKind.InternalDate, "INTERNALDATE"), Simple(FetchKind.Size, "RFC822.SIZE"), Simple(FetchKind.Envelope, "ENVELOPE"), Simple(FetchKind.Body, "BODY")];
            case "UID": return [Simple(FetchKind.Uid, name)];
            case "FLAGS": return [Simple(FetchKind.Flags, name)];
            case "INTERNALDATE": return [Simple(FetchKind.InternalDate, name)];
            case "RFC822.SIZE": return [Simple(FetchKind.Size, name)];
            case "ENVELOPE": return [Simple(FetchKind.Envelope, name)];
            case "BODYSTRUCTURE": return [Simple(FetchKind.BodyStructure, name)];
            case "MODSEQ": return [Simple(FetchKind.ModSeq, name)];
            case "RFC822": return [new FetchItem { Kind = FetchKind.Section, Label = "RFC822" }];
            case "RFC822.HEADER": return [new FetchItem { Kind = FetchKind.Section, Text = "HEADER", Peek = true, Label = "RFC822.HEADER" }];
            case "RFC822.TEXT": return [new FetchItem { Kind = FetchKind.Section, Text = "TEXT", Label = "RFC822.TEXT" }];
            case "BODY" when p.Peek() != '[': return [Simple(FetchKind.Body, name)];
            case "BODY" or "BODY.PEEK": return [ReadSection(p, FetchKind.Section, "BODY", name == "BODY.PEEK")];
            case "BINARY" or "BINARY.PEEK": return [ReadSection(p, FetchKind.Binary, "BINARY", name == "BINARY.PEEK")];
            case "BINARY.SIZE": return [ReadSection(p, FetchKind.BinarySize, "BINARY.SIZE", true)];
            default: throw new ImapParseException("Unknown FETCH item " + name);
        }
    }

    private static FetchItem Simple(FetchKind kind, string label) => new() { Kind = kind, Label = label };

    private static FetchItem ReadSection(ImapParser p, FetchKind kind, string label, bool peek)
    {
        p.Expect('[');
        var path = new List<int>();
        string? text = null;
        List<string>? fields = null;
        var sb = new StringBuilder(label).Append('[');
        if (p.Peek() != ']')
        {
            while (p.Peek() is >= '0' and <= '9')
            {
                var n = p.ReadNzNumber();
                if (n > 10000)
                {
                    throw new ImapParseException("Section number too large");
                }

                path.Add((int)n);
                if (!p.TryConsume('.'))
                {
                    break;
                }

                if (p.Peek() is not (>= '0' and <= '9'))
                {
                    text = ReadSectionText(p, path.Count > 0);
                    break;
                }
            }

            if (path.Count == 0)
            {
                text = ReadSectionText(p, false);
            }

            if (kind != FetchKind.Section && text is not null)
            {
                throw new ImapParseException("BINARY takes only part numbers");
            }

            sb.Append(string.Join('.', path));
            if (text is not null)
            {
                sb.Append(path.Count > 0 ? "." : string.Empty).Append(text);
            }

            if (text is "HEADER.FIELDS" or "HEADER.FIELDS.NOT")
            {
                p.Space();
                p.Expect('(');
                fields = [];
                do
                {
                    fields.Add(p.ReadAString());
                }
                while (p.TryConsume(' '));
                p.Expect(')');
                sb.Append(" (").Append(string.Join(' ', fields.Select(f => f.ToUpperInvariant()))).Append(')');
            }
        }

        p.Expect(']');
        sb.Append(']');
        long? start = null;
        long length = 0;
        if (p.TryConsume('<'))
        {
            start = (long)p.ReadNumber(long.MaxValue);
            p.Expect('.');
            length = (long)p.ReadNumber(long.MaxValue);
            if (length == 0)
            {
                throw new ImapParseException("Partial length must not be zero");
            }

            p.Expect('>');
            if (kind == FetchKind.BinarySize)
            {
                throw new ImapParseException("BINARY.SIZE takes no partial range");
            }
        }

        return new FetchItem { Kind = kind, Path = path, Text = text, Fields = fields, PartialStart = start, PartialLength = length, Peek = peek, Label = sb.ToString() };
    }

    private static string ReadSectionText(ImapParser p, bool afterPart)
    {
        var sb = new StringBuilder();
        while (p.Peek() is var c and > 0 && (char.IsAsciiLetter((char)c) || c == '.'))
        {
            sb.Append(char.ToUpperInvariant((char)c));
            p.TryConsume((char)c);
        }

        var text = sb.ToString();
        return text switch
        {
            "HEADER" or "HEADER.FIELDS" or "HEADER.FIELDS.NOT" or "TEXT" => text,
            "MIME" when afterPart => text,
            _ => throw new ImapParseException("Invalid section specifier"),
        };
    }
}
