using System.Globalization;
using System.Text;
using Extensible.Imap.Mime;
using Extensible.Imap.Protocol;
using Extensible.Sdk.Storage;
using MimeKit;
using MimeKit.IO;
using MimeKit.IO.Filters;

namespace Extensible.Imap;

/// <summary>FETCH and UID FETCH: every RFC 9051 item, BINARY, MODSEQ and CHANGEDSINCE/VANISHED, bodies streamed from the store.</summary>
internal sealed partial class ImapSession
{
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>Resolves a sequence or UID set against the client's view, in sequence order.</summary>
    private List<(uint Seq, uint Uid)> Resolve(SequenceSet set, bool byUid)
    {
        var selected = _selected!;
        var result = new List<(uint, uint)>();
        if (set.IsSaved)
        {
            if (_saved is null)
            {
                return result;
            }

            for (var i = 0; i < selected.Uids.Count; i++)
            {
                if (_saved.Contains(selected.Uids[i]))
                {
                    result.Add(((uint)(i + 1), selected.Uids[i]));
                }
            }

            return result;
        }

        if (byUid)
        {
            var star = selected.MaxUid;
            var marks = new bool[selected.Uids.Count];
            foreach (var (from, to) in set.Resolve(star))
            {
                var index = selected.Uids.BinarySearch(from);
                if (index < 0)
                {
                    index = ~index;
                }

                for (; index < selected.Uids.Count && selected.Uids[index] <= to; index++)
                {
                    marks[index] = true;
                }
            }

            for (var i = 0; i < marks.Length; i++)
            {
                if (marks[i])
                {
                    result.Add(((uint)(i + 1), selected.Uids[i]));
                }
            }

            return result;
        }

        var count = selected.Count;
        var seqMarks = new bool[count];
        foreach (var (from, to) in set.Resolve(count))
        {
            if (from == 0 || to > count)
            {
                throw new ImapParseException("Invalid message sequence number");
            }

            for (var s = from; s <= to; s++)
            {
                seqMarks[s - 1] = true;
            }
        }

        for (var i = 0; i < seqMarks.Length; i++)
        {
            if (seqMarks[i])
            {
                result.Add(((uint)(i + 1), selected.Uids[i]));
            }
        }

        return result;
    }

    /// <summary>Summaries of the given UIDs (ascending input), keyed by UID.</summary>
    private async ValueTask<Dictionary<uint, MessageSummary>> SummariesAsync(List<(uint Seq, uint Uid)> targets, CancellationToken ct)
    {
        var map = new Dictionary<uint, MessageSummary>(targets.Count);
        if (targets.Count == 0)
        {
            return map;
        }

        var wanted = new HashSet<uint>(targets.Select(t => t.Uid));
        foreach (var m in await _selected!.Folder.ListAsync(targets[0].Uid, targets[^1].Uid, ct))
        {
            if (wanted.Contains(m.Uid))
            {
                map[m.Uid] = m;
            }
        }

        return map;
    }

    private async ValueTask FetchAsync(string tag, ImapParser p, bool byUid, CancellationToken ct)
    {
        p.Space();
        var set = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
        p.Space();
        var items = FetchParser.ReadItems(p);
        ulong? changedSince = null;
        var vanished = false;
        if (p.TryConsume(' '))
        {
            p.Expect('(');
            do
            {
                var modifier = p.ReadAtom().ToUpperInvariant();
                if (modifier == "CHANGEDSINCE")
                {
                    p.Space();
                    changedSince = p.ReadNumber(long.MaxValue);
                }
                else if (modifier == "VANISHED" && byUid && _qresync)
                {
                    vanished = true;
                }
                else
                {
                    throw new ImapParseException("Unknown FETCH modifier " + modifier);
                }
            }
            while (p.TryConsume(' '));
            p.Expect(')');
            if (vanished && changedSince is null)
            {
                throw new ImapParseException("VANISHED requires CHANGEDSINCE");
            }
        }

        p.ExpectEnd();
        if (changedSince is not null || items.Exists(i => i.Kind == FetchKind.ModSeq))
        {
            _condstore = true;
        }

        if (changedSince is not null && !items.Exists(i => i.Kind == FetchKind.ModSeq))
        {
            items.Add(new FetchItem { Kind = FetchKind.ModSeq, Label = "MODSEQ" });
        }

        if (byUid && !items.Exists(i => i.Kind == FetchKind.Uid))
        {
            items.Insert(0, new FetchItem { Kind = FetchKind.Uid, Label = "UID" });
        }

        var selected = _selected!;
        await FlushUpdatesAsync(allowExpunge: false, ct);
        var targets = Resolve(set, byUid);
        if (vanished)
        {
            var gone = new List<uint>();
            foreach (var uid in await selected.Folder.ListExpungedSinceAsync(changedSince!.Value, ct))
            {
                if (set.Contains(uid, selected.MaxUid))
                {
                    gone.Add(uid);
                }
            }

            if (gone.Count > 0)
            {
                _writer.Raw("* VANISHED (EARLIER) ").Raw(SequenceSet.Format(gone)).EndLine();
            }
        }

        var summaries = await SummariesAsync(targets, ct);
        var setsSeen = !selected.ReadOnly && items.Exists(i => i.SetsSeen);
        if (setsSeen)
        {
            var unseen = targets.Where(t => summaries.TryGetValue(t.Uid, out var s) && !s.Flags.HasFlag(StoreFlags.Seen)).Select(t => t.Uid).ToList();
            if (unseen.Count > 0)
            {
                var result = await selected.Folder.UpdateFlagsAsync(unseen, new FlagChange(FlagOperation.Add, StoreFlags.Seen, []), cancellationToken: ct);
                foreach (var m in result.Updated)
                {
                    summaries[m.Uid] = m;
                    selected.RememberOwn(m.ModSeq);
                }

                if (!items.Exists(i => i.Kind == FetchKind.Flags))
                {
                    items.Add(new FetchItem { Kind = FetchKind.Flags, Label = "FLAGS" });
                }
            }
        }

        var needsHeader = items.Exists(IsRootHeaderItem);
        var needsStructure = items.Exists(i => i.NeedsStructure && !IsRootHeaderItem(i));
        var needsContent = items.Exists(i => i.Kind is FetchKind.Binary or FetchKind.BinarySize || (i.Kind == FetchKind.Section && !IsRootHeaderItem(i)));
        foreach (var (seq, uid) in targets)
        {
            if (!summaries.TryGetValue(uid, out var summary))
            {
                continue; // expunged by another session, not yet reported
            }

            if (changedSince is { } since && summary.ModSeq <= since)
            {
                continue;
            }

            Stream? content = null;
            try
            {
                MessageInfo? info = null;
                byte[]? header = null;
                if (needsContent || needsStructure || needsHeader)
                {
                    try
                    {
                        if (needsHeader)
                        {
                            header = await GetHeaderAsync(uid, ct);
                        }

                        if (needsStructure || (needsHeader && header is null))
                        {
                            info = await GetInfoAsync(uid, ct);
                        }

                        if (needsContent || (needsHeader && header is null))
                        {
                            content = await selected.Folder.OpenContentAsync(uid, ct);
                        }
                    }
                    catch (StoreException ex) when (ex.Error == StoreError.NotFound)
                    {
                        continue;
                    }
                }

                // A BINARY item that cannot be served fails the command before any of this response is written.
                foreach (var item in items)
                {
                    if (item.Kind is FetchKind.Binary or FetchKind.BinarySize)
                    {
                        BinaryEncodingOf(item, info!);
                    }
                }

                _writer.Raw("* ").Number(seq).Raw(" FETCH (");
                for (var i = 0; i < items.Count; i++)
                {
                    if (i > 0)
                    {
                        _writer.Raw(" ");
                    }

                    await WriteItemAsync(items[i], summary, info, content, header, ct);
                }

                _writer.Raw(")").EndLine();
                await _writer.MaybeFlushAsync(ct);
            }
            finally
            {
                if (content is not null)
                {
                    await content.DisposeAsync();
                }
            }
        }

        await OkAsync(tag, byUid ? "UID FETCH completed" : "FETCH completed", allowExpunge: byUid, ct: ct);
    }

    private MessageKey KeyOf(uint uid) => new(_user!.Id, _selected!.Path, _selected.Folder.UidValidity, uid);

    /// <summary>The message's MIME summary: from memory, else the store's cache, else parsed once and cached in both.</summary>
    private async ValueTask<MessageInfo> GetInfoAsync(uint uid, CancellationToken ct)
    {
        var key = KeyOf(uid);
        if (_cache.Get(key).Info is { } memory)
        {
            return memory;
        }

        var folder = _selected!.Folder;
        var cached = await folder.GetCachedAsync(uid, MessageInfo.CacheKey, ct);
        if (cached is not null && MessageInfo.FromJson(cached) is { } hit)
        {
            _cache.Put(key, hit, null);
            return hit;
        }

        await using var stream = await folder.OpenContentAsync(uid, ct);
        var info = await MessageInfoBuilder.BuildAsync(stream, ct);
        _cache.Put(key, info, null);
        if (_cache.TryBeginSave())
        {
            _ = SaveInfoAsync(folder, uid, info);
        }

        return info;
    }

    /// <summary>Writes a parsed MIME summary to the store's cache in the background: the write is durable (an fsync), and nobody needs to wait for it.</summary>
    private async Task SaveInfoAsync(IMessageFolder folder, uint uid, MessageInfo info)
    {
        try
        {
            await folder.SetCachedAsync(uid, MessageInfo.CacheKey, info.ToJson(), CancellationToken.None);
        }
        catch (Exception ex)
        {
            _connection.Logger.Debug(ex, "Could not cache the MIME summary of UID {Uid}", uid);
        }
        finally
        {
            _cache.EndSave();
        }
    }

    /// <summary>The message's top-level header block (through the blank line), or null when it exceeds <see cref="MaxCachedHeader"/>.</summary>
    private async ValueTask<byte[]?> GetHeaderAsync(uint uid, CancellationToken ct)
    {
        var key = KeyOf(uid);
        if (_cache.Get(key).Header is { } memory)
        {
            return memory;
        }

        byte[]? header;
        await using (var stream = await _selected!.Folder.OpenContentAsync(uid, ct))
        {
            header = await ReadCrlfHeaderAsync(stream, ct);
        }

        if (header is null)
        {
            // Bare LF line ends, no blank line or a huge header: let the MIME parser find where the body starts.
            var info = await GetInfoAsync(uid, ct);
            var length = info.Root.BodyStart - info.Root.HeaderStart;
            if (length > MaxCachedHeader)
            {
                return null;
            }

            await using var stream = await _selected!.Folder.OpenContentAsync(uid, ct);
            header = new byte[length];
            stream.Position = info.Root.HeaderStart;
            await stream.ReadExactlyAsync(header, ct);
        }

        _cache.Put(key, null, header);
        return header;
    }

    /// <summary>Reads a CRLF header block through its blank line, or null when it has a bare LF first or no blank line within <see cref="MaxCachedHeader"/>.</summary>
    private static async ValueTask<byte[]?> ReadCrlfHeaderAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (length < MaxCachedHeader)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxCachedHeader));
            }

            var n = await stream.ReadAsync(buffer.AsMemory(length, buffer.Length - length), ct);
            if (n == 0)
            {
                return null;
            }

            var from = Math.Max(0, length - 3);
            length += n;
            if (from == 0 && length >= 2 && buffer[0] == '\r' && buffer[1] == '\n')
            {
                return buffer[..2];
            }

            for (var i = from; i < length; i++)
            {
                if (buffer[i] != '\n')
                {
                    continue;
                }

                if (i == 0 || buffer[i - 1] != '\r')
                {
                    return null;
                }

                if (i + 2 < length && buffer[i + 1] == '\r' && buffer[i + 2] == '\n')
                {
                    return buffer[..(i + 3)];
                }
            }
        }

        return null;
    }

    private const int MaxCachedHeader = 256 * 1024;

    private static bool IsRootHeaderItem(FetchItem item) =>
        item.Kind == FetchKind.Section && item.Path.Count == 0 && item.Text is "HEADER" or "HEADER.FIELDS" or "HEADER.FIELDS.NOT";

    private async ValueTask WriteItemAsync(FetchItem item, MessageSummary summary, MessageInfo? info, Stream? content, byte[]? header, CancellationToken ct)
    {
        switch (item.Kind)
        {
            case FetchKind.Uid:
                _writer.Raw("UID ").Number(summary.Uid);
                break;
            case FetchKind.Flags:
                WriteFlags(summary, _selected!.Recent.Contains(summary.Uid));
                break;
            case FetchKind.InternalDate:
                _writer.Raw("INTERNALDATE \"").Raw(FormatInternalDate(summary.InternalDate)).Raw("\"");
                break;
            case FetchKind.Size:
                _writer.Raw("RFC822.SIZE ").Number((ulong)summary.Size);
                break;
            case FetchKind.ModSeq:
                _writer.Raw("MODSEQ (").Number(summary.ModSeq).Raw(")");
                break;
            case FetchKind.Envelope:
                _writer.Raw("ENVELOPE ").Utf8Text(info!.Envelope);
                break;
            case FetchKind.Body:
                _writer.Raw("BODY ").Utf8Text(info!.Body);
                break;
            case FetchKind.BodyStructure:
                _writer.Raw("BODYSTRUCTURE ").Utf8Text(info!.BodyStructure);
                break;
            case FetchKind.Section:
                await WriteSectionAsync(item, info, content, header, ct);
                break;
            case FetchKind.Binary or FetchKind.BinarySize:
                await WriteBinaryAsync(item, info!, content!, ct);
                break;
        }
    }

    private static string FormatInternalDate(DateTimeOffset date)
    {
        var offset = date.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return string.Create(CultureInfo.InvariantCulture,
            $"{date.Day,2}-{MonthNames[date.Month - 1]}-{date.Year:D4} {date.Hour:D2}:{date.Minute:D2}:{date.Second:D2} {sign}{offset.Hours:D2}{offset.Minutes:D2}");
    }

    private async ValueTask WriteSectionAsync(FetchItem item, MessageInfo? info, Stream? content, byte[]? header, CancellationToken ct)
    {
        long start, end;
        byte[]? filtered = null;
        if (header is not null && IsRootHeaderItem(item))
        {
            filtered = item.Text == "HEADER" ? header : FilterHeader(header, item.Fields!, item.Text == "HEADER.FIELDS.NOT");
            (start, end) = (0, filtered.Length);
        }
        else if (content is null)
        {
            throw new InvalidOperationException("Section fetch without content");
        }
        else if (item.Path.Count == 0 && item.Text is null)
        {
            start = 0;
            end = content.Length;
        }
        else
        {
            var part = info!.Find(item.Path);
            var message = item.Path.Count == 0 ? info.Root : part?.Message;
            switch (item.Text)
            {
                case null when part is not null:
                    (start, end) = (part.BodyStart, part.End);
                    break;
                case "MIME" when part is not null:
                    (start, end) = (part.HeaderStart, part.BodyStart);
                    break;
                case "HEADER" when message is not null:
                    (start, end) = (message.HeaderStart, message.BodyStart);
                    break;
                case "TEXT" when message is not null:
                    (start, end) = (message.BodyStart, message.End);
                    break;
                case "HEADER.FIELDS" or "HEADER.FIELDS.NOT" when message is not null:
                    filtered = await FilterHeaderAsync(content, message.HeaderStart, message.BodyStart, item.Fields!, item.Text == "HEADER.FIELDS.NOT", ct);
                    (start, end) = (0, filtered.Length);
                    break;
                default:
                    (start, end) = (0, 0);
                    break;
            }
        }

        end = filtered is not null ? Math.Min(end, filtered.Length) : Math.Min(end, content!.Length);
        start = Math.Min(start, end);
        var label = item.Label;
        if (item.PartialStart is { } origin)
        {
            var total = end - start;
            var from = Math.Min(origin, total);
            var length = Math.Min(item.PartialLength, total - from);
            start += from;
            end = start + length;
            _writer.Raw(label).Raw("<").Number((ulong)origin).Raw("> ");
        }
        else
        {
            _writer.Raw(label).Raw(" ");
        }

        if (filtered is not null)
        {
            _writer.Literal(filtered.AsSpan((int)start, (int)(end - start)));
            return;
        }

        _writer.LiteralHeader(end - start);
        content!.Position = start;
        await _writer.CopyAsync(content, end - start, ct);
    }

    private static async ValueTask<byte[]> FilterHeaderAsync(Stream content, long start, long end, List<string> fields, bool not, CancellationToken ct)
    {
        var length = (int)Math.Min(end - start, 1024 * 1024);
        var header = new byte[length];
        content.Position = start;
        await content.ReadExactlyAsync(header, ct);
        return FilterHeader(header, fields, not);
    }

    /// <summary>Keeps (or, with <paramref name="not"/>, drops) the listed fields of a header block and ends it with a blank line.</summary>
    private static byte[] FilterHeader(byte[] header, List<string> fields, bool not)
    {
        var output = new MemoryStream(Math.Min(header.Length + 2, 4096));
        var i = 0;
        while (i < header.Length)
        {
            // A field runs to the next line that does not start with whitespace.
            var lineEnd = Array.IndexOf(header, (byte)'\n', i);
            var fieldEnd = lineEnd < 0 ? header.Length : lineEnd + 1;
            while (fieldEnd < header.Length && header[fieldEnd] is (byte)' ' or (byte)'\t')
            {
                var next = Array.IndexOf(header, (byte)'\n', fieldEnd);
                fieldEnd = next < 0 ? header.Length : next + 1;
            }

            var colon = Array.IndexOf(header, (byte)':', i, fieldEnd - i);
            if (colon > i)
            {
                var name = Encoding.ASCII.GetString(header, i, colon - i).TrimEnd();
                var listed = fields.Exists(f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
                if (listed != not)
                {
                    output.Write(header, i, fieldEnd - i);
                }
            }

            i = fieldEnd;
        }

        output.Write("\r\n"u8);
        return output.ToArray();
    }

    /// <summary>The leaf part a BINARY item names and its transfer encoding; NO [UNKNOWN-CTE] when there is no such leaf or the encoding is unknown.</summary>
    private static (MimePartInfo Part, ContentEncoding Encoding) BinaryEncodingOf(FetchItem item, MessageInfo info)
    {
        var part = item.Path.Count == 0 ? null : info.Find(item.Path);
        if (part is null || part.IsMultipart)
        {
            throw new ImapNoException("No such leaf part", "UNKNOWN-CTE");
        }

        var encoding = part.Encoding switch
        {
            null or "7bit" or "8bit" or "binary" => ContentEncoding.Binary,
            "base64" => ContentEncoding.Base64,
            "quoted-printable" => ContentEncoding.QuotedPrintable,
            "x-uuencode" or "uuencode" => ContentEncoding.UUEncode,
            _ => throw new ImapNoException("Unknown content transfer encoding", "UNKNOWN-CTE"),
        };
        return (part, encoding);
    }

    private async ValueTask WriteBinaryAsync(FetchItem item, MessageInfo info, Stream content, CancellationToken ct)
    {
        var (part, encoding) = BinaryEncodingOf(item, info);

        await using var decoded = await DecodeAsync(content, part.BodyStart, part.End, encoding, ct);
        if (item.Kind == FetchKind.BinarySize)
        {
            _writer.Raw(item.Label).Raw(" ").Number((ulong)decoded.Length);
            return;
        }

        var start = 0L;
        var end = decoded.Length;
        if (item.PartialStart is { } origin)
        {
            start = Math.Min(origin, end);
            end = start + Math.Min(item.PartialLength, end - start);
            _writer.Raw(item.Label).Raw("<").Number((ulong)origin).Raw("> ");
        }
        else
        {
            _writer.Raw(item.Label).Raw(" ");
        }

        _writer.LiteralHeader(end - start, binary: true);
        decoded.Position = start;
        await _writer.CopyAsync(decoded, end - start, ct);
    }

    private static async ValueTask<Stream> DecodeAsync(Stream content, long start, long end, ContentEncoding encoding, CancellationToken ct)
    {
        Stream target = end - start > 1024 * 1024
            ? new FileStream(Path.Combine(Path.GetTempPath(), "extensible-imap-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous)
            : new MemoryStream();
        try
        {
            var filtered = new FilteredStream(target);
            {
                if (encoding != ContentEncoding.Binary)
                {
                    filtered.Add(DecoderFilter.Create(encoding));
                }

                content.Position = start;
                var buffer = new byte[16 * 1024];
                var remaining = end - start;
                while (remaining > 0)
                {
                    var n = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), ct);
                    if (n == 0)
                    {
                        break;
                    }

                    await filtered.WriteAsync(buffer.AsMemory(0, n), ct);
                    remaining -= n;
                }

                await filtered.FlushAsync(ct);
            }

            target.Position = 0;
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }
}
