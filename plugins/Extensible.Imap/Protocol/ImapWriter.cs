using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Extensible.Sdk.Connections;

namespace Extensible.Imap.Protocol;

/// <summary>Writes responses to the connection's output pipe and mirrors each line to the protocol transcript.</summary>
internal sealed class ImapWriter(IProtocolTranscript transcript)
{
    private readonly StringBuilder? _line = transcript.IsEnabled ? new StringBuilder() : null;
    private PipeWriter? _output;
    private long _unflushed;

    /// <summary>The pipe written to; replaced after STARTTLS and COMPRESS.</summary>
    public PipeWriter Output
    {
        get => _output ?? throw new InvalidOperationException("No output");
        set => _output = value;
    }

    /// <summary>True when UTF-8 may be sent in quoted strings (UTF8=ACCEPT, IMAP4rev2).</summary>
    public bool Utf8 { get; set; }

    /// <summary>Writes ASCII text as is.</summary>
    public ImapWriter Raw(string text)
    {
        var span = Output.GetSpan(text.Length);
        var n = Encoding.ASCII.GetBytes(text, span);
        Output.Advance(n);
        _unflushed += n;
        _line?.Append(text);
        return this;
    }

    /// <summary>Writes raw bytes (already in wire form).</summary>
    public ImapWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        Output.Write(bytes);
        _unflushed += bytes.Length;
        _line?.Append(Encoding.UTF8.GetString(bytes));
        return this;
    }

    /// <summary>Writes a number.</summary>
    public ImapWriter Number(ulong value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes CRLF and records the finished line in the transcript.</summary>
    public ImapWriter EndLine()
    {
        Output.Write("\r\n"u8);
        _unflushed += 2;
        if (_line is not null)
        {
            transcript.Server(_line.ToString());
            _line.Clear();
        }

        return this;
    }

    /// <summary>Writes a whole line of ASCII text with CRLF.</summary>
    public ImapWriter Line(string text) => Raw(text).EndLine();

    /// <summary>Writes a string as an atom-safe quoted string, or as a literal when it cannot be quoted.</summary>
    public ImapWriter String(string? value)
    {
        if (value is null)
        {
            return Raw("NIL");
        }

        var quotable = value.Length < 1024;
        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\0' || (c > 0x7f && !Utf8))
            {
                quotable = false;
                break;
            }
        }

        if (!quotable)
        {
            return Literal(Encoding.UTF8.GetBytes(value));
        }

        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        sb.Append('"');
        return Utf8Text(sb.ToString());
    }

    /// <summary>Writes an astring: an atom when the value is one, else a string.</summary>
    public ImapWriter AString(string value)
    {
        if (value.Length > 0 && !value.Equals("NIL", StringComparison.OrdinalIgnoreCase))
        {
            var atom = true;
            foreach (var c in value)
            {
                if (c > 0x7e || !ImapParser.IsAtomChar((byte)c, false))
                {
                    atom = false;
                    break;
                }
            }

            if (atom)
            {
                return Raw(value);
            }
        }

        return String(value);
    }

    /// <summary>Writes UTF-8 text as is.</summary>
    public ImapWriter Utf8Text(string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = Output.GetSpan(max);
        var n = Encoding.UTF8.GetBytes(text, span);
        Output.Advance(n);
        _unflushed += n;
        _line?.Append(text);
        return this;
    }

    /// <summary>Writes a literal holding <paramref name="bytes"/>.</summary>
    public ImapWriter Literal(ReadOnlySpan<byte> bytes)
    {
        Raw("{").Number((ulong)bytes.Length).Raw("}");
        Output.Write("\r\n"u8);
        Output.Write(bytes);
        _unflushed += bytes.Length + 2;
        _line?.Append(" <").Append(bytes.Length).Append(" bytes>");
        return this;
    }

    /// <summary>Writes a literal announcement; the caller writes exactly <paramref name="length"/> bytes next with <see cref="CopyAsync"/>.</summary>
    public ImapWriter LiteralHeader(long length, bool binary = false)
    {
        Raw(binary ? "~{" : "{").Number((ulong)length).Raw("}");
        Output.Write("\r\n"u8);
        _unflushed += 2;
        _line?.Append(" <").Append(length).Append(" bytes>");
        return this;
    }

    /// <summary>Copies exactly <paramref name="length"/> bytes of <paramref name="source"/>, flushing as it goes so memory stays bounded.</summary>
    public async ValueTask CopyAsync(Stream source, long length, CancellationToken cancellationToken)
    {
        var remaining = length;
        while (remaining > 0)
        {
            var memory = Output.GetMemory((int)Math.Min(remaining, 16 * 1024));
            var want = (int)Math.Min(remaining, memory.Length);
            var n = await source.ReadAsync(memory[..want], cancellationToken);
            if (n == 0)
            {
                // The file is shorter than promised; pad so the literal stays well-framed.
                memory.Span[..want].Fill((byte)' ');
                n = want;
            }

            Output.Advance(n);
            remaining -= n;
            _unflushed += n;
            if (_unflushed >= 64 * 1024)
            {
                await FlushAsync(cancellationToken);
            }
        }
    }

    /// <summary>Writes a buffer segment sequence as is.</summary>
    public ImapWriter Bytes(in ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            Output.Write(segment.Span);
            _unflushed += segment.Length;
        }

        return this;
    }

    /// <summary>Flushes the output when enough has accumulated to be worth it.</summary>
    public ValueTask MaybeFlushAsync(CancellationToken cancellationToken) =>
        _unflushed >= 32 * 1024 ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>How long one flush may wait for the client to read before the connection is given up.</summary>
    public TimeSpan StallTimeout { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Called when a flush waited longer than <see cref="StallTimeout"/>, to drop the connection.</summary>
    public Action? Stalled { get; set; }

    /// <summary>Sends what was written; throws <see cref="IOException"/> when the client read nothing for <see cref="StallTimeout"/>.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        _unflushed = 0;
        var flush = Output.FlushAsync(cancellationToken);
        if (flush.IsCompleted || StallTimeout == Timeout.InfiniteTimeSpan)
        {
            await flush;
            return;
        }

        // Without a bound a client that pipelines and never reads holds its session forever on a listener without an idle timeout.
        var pending = flush.AsTask();
        try
        {
            await pending.WaitAsync(StallTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Stalled?.Invoke();
            throw new IOException($"The client read no responses for {StallTimeout.TotalSeconds:0} s");
        }
    }
}
