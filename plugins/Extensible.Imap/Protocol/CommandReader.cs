using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Extensible.Sdk.Connections;

namespace Extensible.Imap.Protocol;

/// <summary>What <see cref="CommandReader.ReadAsync"/> found.</summary>
internal enum ReadOutcomeKind
{
    /// <summary>A whole command with its literals.</summary>
    Command,

    /// <summary>The client closed the connection.</summary>
    EndOfInput,

    /// <summary>The command line was too long; it was skipped.</summary>
    LineTooLong,

    /// <summary>A synchronizing literal was refused before the client sent it; answer the tag and go on.</summary>
    LiteralRefused,

    /// <summary>A non-synchronizing literal was too large; the stream cannot be resynchronized.</summary>
    Unrecoverable,
}

/// <summary>The result of reading one command.</summary>
internal readonly record struct ReadOutcome(ReadOutcomeKind Kind, ImapCommand? Command = null, string? Tag = null, string? Message = null, bool TooBig = false);

/// <summary>Reads commands off a pipe: lines up to a limit and literals (RFC 9051 4.3, RFC 7888), spooling large APPEND literals to disk.</summary>
internal sealed class CommandReader(ImapOptions options, IProtocolTranscript transcript)
{
    private bool _skipping;

    /// <summary>Reads the next command; sends the continuation for synchronizing literals through <paramref name="writer"/>.</summary>
    public async ValueTask<ReadOutcome> ReadAsync(Func<PipeReader> input, ImapWriter writer, bool authenticated, CancellationToken cancellationToken)
    {
        var command = new ImapCommand();
        var memoryUsed = 0L;
        var spoolUsed = 0L;
        string? tag = null;
        var isAppend = false;
        try
        {
            while (true)
            {
                var line = await ReadLineAsync(input, cancellationToken);
                if (line is null)
                {
                    command.Dispose();
                    return new ReadOutcome(ReadOutcomeKind.EndOfInput);
                }

                if (line.Length == 1 && line[0] == 0xff)
                {
                    command.Dispose();
                    return new ReadOutcome(ReadOutcomeKind.LineTooLong, Tag: tag);
                }

                if (command.Lines.Count == 0)
                {
                    (tag, isAppend) = Classify(line);
                    if (transcript.IsEnabled)
                    {
                        var redact = IsSecretCommand(line);
                        transcript.Client(redact ? RedactedFirstLine(line) : Encoding.UTF8.GetString(line), redact);
                    }
                }
                else if (transcript.IsEnabled)
                {
                    transcript.Client(isAppend ? Encoding.UTF8.GetString(line) : "<continuation>", redact: !isAppend);
                }

                memoryUsed += line.Length;
                command.Lines.Add(line);
                if (!TryGetLiteral(line, out var length, out var sync, out var binary))
                {
                    return new ReadOutcome(ReadOutcomeKind.Command, command, tag);
                }

                var limit = isAppend && authenticated ? options.MaxLiteralSize : options.MaxCommandLiteralSize;
                var spool = isAppend && authenticated && length > options.SpoolThreshold;
                if (length > limit || (!spool && memoryUsed + length > options.MaxCommandMemory) || (spool && spoolUsed + length > options.MaxAppendTotal))
                {
                    command.Dispose();
                    var message = isAppend ? "Message too large" : "Literal too large";
                    return sync
                        ? new ReadOutcome(ReadOutcomeKind.LiteralRefused, Tag: tag, Message: message, TooBig: true)
                        : new ReadOutcome(ReadOutcomeKind.Unrecoverable, Tag: tag, Message: message);
                }

                if (sync)
                {
                    await writer.Raw("+ Ready for literal data").EndLine().FlushAsync(cancellationToken);
                }

                if (spool)
                {
                    spoolUsed += length;
                    command.Literals.Add(await SpoolAsync(input, length, binary, cancellationToken));
                }
                else
                {
                    var data = new byte[length];
                    await ReadExactlyAsync(input, data, cancellationToken);
                    memoryUsed += length;
                    command.Literals.Add(ImapLiteral.InMemory(data, binary));
                }
            }
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    private async ValueTask<byte[]?> ReadLineAsync(Func<PipeReader> input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var reader = input();
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (_skipping)
            {
                var found = LineReader.SkipLine(ref buffer);
                if (found)
                {
                    // Only the skipped line is examined: the next command may already be buffered behind it.
                    reader.AdvanceTo(buffer.Start);
                    _skipping = false;
                    return [0xff];
                }

                reader.AdvanceTo(buffer.Start, buffer.End);

                if (result.IsCompleted)
                {
                    return null;
                }

                continue;
            }

            var status = LineReader.TryReadLine(ref buffer, options.MaxLineLength, out var line, out var lineEndSeen);
            switch (status)
            {
                case LineStatus.Complete or LineStatus.BareLineFeed:
                    var bytes = line.ToArray();
                    reader.AdvanceTo(buffer.Start);
                    return bytes;
                case LineStatus.TooLong:
                    if (lineEndSeen)
                    {
                        reader.AdvanceTo(buffer.Start);
                        return [0xff];
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                    _skipping = true;
                    continue;
                default:
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        return null;
                    }

                    continue;
            }
        }
    }

    private static async ValueTask ReadExactlyAsync(Func<PipeReader> input, byte[] target, CancellationToken cancellationToken)
    {
        var offset = 0;
        while (offset < target.Length)
        {
            var reader = input();
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var take = (int)Math.Min(buffer.Length, target.Length - offset);
            buffer.Slice(0, take).CopyTo(target.AsSpan(offset));
            offset += take;
            reader.AdvanceTo(buffer.GetPosition(take));
            if (offset < target.Length && result.IsCompleted)
            {
                throw new EndOfStreamException("Connection closed inside a literal");
            }
        }
    }

    private static async ValueTask<ImapLiteral> SpoolAsync(Func<PipeReader> input, long length, bool binary, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "extensible-imap-" + Guid.NewGuid().ToString("N") + ".eml");
        var literal = ImapLiteral.Spooled(path, length, binary);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
            var remaining = length;
            while (remaining > 0)
            {
                var reader = input();
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var take = Math.Min(buffer.Length, remaining);
                foreach (var segment in buffer.Slice(0, take))
                {
                    await file.WriteAsync(segment, cancellationToken);
                }

                remaining -= take;
                reader.AdvanceTo(buffer.GetPosition(take));
                if (remaining > 0 && result.IsCompleted)
                {
                    throw new EndOfStreamException("Connection closed inside a literal");
                }
            }

            return literal;
        }
        catch
        {
            literal.Dispose();
            throw;
        }
    }

    /// <summary>Finds a literal announcement (<c>{n}</c>, <c>{n+}</c>, <c>~{n}</c>) at the end of a line.</summary>
    internal static bool TryGetLiteral(ReadOnlySpan<byte> line, out long length, out bool sync, out bool binary)
    {
        length = 0;
        sync = true;
        binary = false;
        if (line.Length < 3 || line[^1] != '}')
        {
            return false;
        }

        var open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return false;
        }

        var digits = line[(open + 1)..^1];
        if (digits.Length > 0 && digits[^1] == '+')
        {
            sync = false;
            digits = digits[..^1];
        }
        else if (digits.Length > 0 && digits[^1] == '-')
        {
            // LITERAL- clients use {n+} too; a trailing '-' is not valid syntax.
            return false;
        }

        if (digits.Length == 0)
        {
            return false;
        }

        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            // Saturate: {99999999999999999999} is a literal too large to take, not a negative length or a command line.
            length = length > (long.MaxValue - 9) / 10 ? long.MaxValue : (length * 10) + (d - '0');
        }

        binary = open > 0 && line[open - 1] == '~';
        return true;
    }

    private static (string? Tag, bool IsAppend) Classify(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return (null, false);
        }

        var tag = Encoding.ASCII.GetString(line[..space]);
        var rest = line[(space + 1)..];
        var end = rest.IndexOf((byte)' ');
        var name = end < 0 ? rest : rest[..end];
        return (tag, Ascii.EqualsIgnoreCase(name, "APPEND"u8));
    }

    private static bool IsSecretCommand(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space < 0)
        {
            return true; // a bare line may be a SASL response
        }

        var rest = line[(space + 1)..];
        return Ascii.EqualsIgnoreCase(rest[..Math.Min(rest.Length, 6)], "LOGIN "u8)
            || (rest.Length >= 12 && Ascii.EqualsIgnoreCase(rest[..12], "AUTHENTICATE"u8));
    }

    private static string RedactedFirstLine(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space < 0)
        {
            return "<redacted>";
        }

        var rest = line[(space + 1)..];
        var end = rest.IndexOf((byte)' ');
        var upto = end < 0 ? line.Length : space + 1 + end;
        return Encoding.ASCII.GetString(line[..upto]) + " <redacted>";
    }
}
