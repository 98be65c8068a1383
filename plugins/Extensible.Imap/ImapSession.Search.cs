using System.Text;
using Extensible.Imap.Protocol;
using Extensible.Imap.Search;
using Extensible.Sdk.Storage;
using MimeKit;

namespace Extensible.Imap;

/// <summary>SEARCH and UID SEARCH with ESEARCH (RFC 4731), SEARCHRES (RFC 5182), CONDSTORE and WITHIN.</summary>
internal sealed partial class ImapSession
{
    private async ValueTask SearchAsync(string tag, ImapParser p, bool byUid, CancellationToken ct)
    {
        p.Space();
        HashSet<string>? returns = null;
        if (p.Peek() is 'R' or 'r')
        {
            returns = TryReadReturn(p);
        }

        if (PeekCharset(p))
        {
            p.Space();
            SearchParser.ReadCharset(p);
            p.Space();
        }

        var program = SearchParser.ReadProgram(p);
        if (program.UsesModSeq)
        {
            _condstore = true;
        }

        await FlushUpdatesAsync(allowExpunge: false, ct);
        var matches = await EvaluateAsync(program, ct);
        var esearch = returns is not null || _rev2;
        if (returns is { Count: 0 })
        {
            returns.Add("ALL");
        }

        returns ??= ["ALL"];
        if (returns.Contains("SAVE"))
        {
            _saved = [.. matches.Select(m => m.Summary.Uid)];
        }

        var values = matches.Select(m => byUid ? m.Summary.Uid : m.Seq).ToList();
        ulong highest = 0;
        foreach (var m in matches)
        {
            highest = Math.Max(highest, m.Summary.ModSeq);
        }

        if (!esearch)
        {
            _writer.Raw("* SEARCH");
            foreach (var v in values)
            {
                _writer.Raw(" ").Number(v);
            }

            if (program.UsesModSeq && values.Count > 0)
            {
                _writer.Raw(" (MODSEQ ").Number(highest).Raw(")");
            }

            _writer.EndLine();
        }
        else if (!(returns.Count == 1 && returns.Contains("SAVE")))
        {
            _writer.Raw("* ESEARCH (TAG ").String(tag).Raw(")");
            if (byUid)
            {
                _writer.Raw(" UID");
            }

            if (values.Count > 0)
            {
                if (returns.Contains("MIN"))
                {
                    _writer.Raw(" MIN ").Number(values.Min());
                }

                if (returns.Contains("MAX"))
                {
                    _writer.Raw(" MAX ").Number(values.Max());
                }

                if (returns.Contains("ALL"))
                {
                    _writer.Raw(" ALL ").Raw(SequenceSet.Format(values.Order()));
                }
            }

            if (returns.Contains("COUNT"))
            {
                _writer.Raw(" COUNT ").Number((ulong)values.Count);
            }

            if (program.UsesModSeq && values.Count > 0)
            {
                _writer.Raw(" MODSEQ ").Number(highest);
            }

            _writer.EndLine();
        }

        await OkAsync(tag, byUid ? "UID SEARCH completed" : "SEARCH completed", allowExpunge: byUid, ct: ct);
    }

    private static bool PeekCharset(ImapParser p)
    {
        // CHARSET is the only key-like word starting the program that is not a key.
        return p.Peek() is 'C' or 'c' && p.PeekWord().Equals("CHARSET", StringComparison.OrdinalIgnoreCase) && p.ConsumeWord();
    }

    private static HashSet<string>? TryReadReturn(ImapParser p)
    {
        if (!p.PeekWord().Equals("RETURN", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        p.ConsumeWord();
        p.Space();
        p.Expect('(');
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (!p.TryConsume(')'))
        {
            do
            {
                var option = p.ReadAtom().ToUpperInvariant();
                if (option is not ("MIN" or "MAX" or "ALL" or "COUNT" or "SAVE"))
                {
                    throw new ImapParseException("Unknown RETURN option " + option);
                }

                result.Add(option);
            }
            while (p.TryConsume(' '));
            p.Expect(')');
        }

        p.Space();
        return result;
    }

    /// <summary>Evaluates a program over the client's view, in sequence order.</summary>
    private async ValueTask<List<(uint Seq, MessageSummary Summary)>> EvaluateAsync(SearchKey program, CancellationToken ct)
    {
        var selected = _selected!;
        var result = new List<(uint, MessageSummary)>();
        if (selected.Count == 0)
        {
            return result;
        }

        var all = await selected.Folder.ListAsync(selected.Uids[0], selected.MaxUid, ct);
        var bySeq = new Dictionary<uint, MessageSummary>(all.Count);
        foreach (var m in all)
        {
            bySeq[m.Uid] = m;
        }

        var needsMessage = program.NeedsHeaders || program.NeedsBody;
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < selected.Uids.Count; i++)
        {
            if (!bySeq.TryGetValue(selected.Uids[i], out var summary))
            {
                continue;
            }

            var context = new SearchContext { Summary = summary, Sequence = (uint)(i + 1), MaxSequence = selected.Count, MaxUid = selected.MaxUid, Saved = _saved, Now = now, IsRecent = selected.Recent.Contains(summary.Uid) };
            if (needsMessage)
            {
                try
                {
                    if (!program.NeedsBody && await GetParsedHeadersAsync(summary.Uid, ct) is { } headers)
                    {
                        context.Message = headers;
                    }
                    else
                    {
                        await using var stream = await selected.Folder.OpenContentAsync(summary.Uid, ct);
                        context.Message = await MimeMessage.LoadAsync(stream, ct);
                    }
                }
                catch (StoreException ex) when (ex.Error == StoreError.NotFound)
                {
                    continue;
                }
                catch (FormatException)
                {
                    // Content without a parseable header block (appended or delivered garbage) matches no text key.
                    context.Message = null;
                }
            }

            if (SearchEvaluator.Matches(program, context))
            {
                result.Add(((uint)(i + 1), summary));
            }
        }

        return result;
    }

    private async ValueTask SortAsync(string tag, ImapParser p, bool byUid, CancellationToken ct)
    {
        p.Space();
        p.Expect('(');
        var criteria = new List<(string Key, bool Reverse)>();
        var reverse = false;
        do
        {
            var key = p.ReadAtom().ToUpperInvariant();
            if (key == "REVERSE")
            {
                reverse = true;
                p.Space();
                continue;
            }

            if (key is not ("ARRIVAL" or "CC" or "DATE" or "FROM" or "SIZE" or "SUBJECT" or "TO" or "DISPLAYFROM" or "DISPLAYTO"))
            {
                throw new ImapParseException("Unknown sort criterion " + key);
            }

            criteria.Add((key, reverse));
            reverse = false;
        }
        while (p.TryConsume(' ') || reverse);
        p.Expect(')');
        p.Space();
        SearchParser.ReadCharset(p);
        p.Space();
        var program = SearchParser.ReadProgram(p);
        await FlushUpdatesAsync(allowExpunge: false, ct);
        var matches = await EvaluateAsync(program, ct);
        var keyed = new List<(uint Seq, MessageSummary Summary, MimeMessage? Headers)>();
        var needsHeaders = criteria.Exists(c => c.Key is not ("ARRIVAL" or "SIZE"));
        foreach (var (seq, summary) in matches)
        {
            keyed.Add((seq, summary, needsHeaders ? await LoadHeadersAsync(summary.Uid, ct) : null));
        }

        keyed.Sort((a, b) =>
        {
            foreach (var (key, rev) in criteria)
            {
                var c = key switch
                {
                    "ARRIVAL" => a.Summary.InternalDate.CompareTo(b.Summary.InternalDate),
                    "SIZE" => a.Summary.Size.CompareTo(b.Summary.Size),
                    "DATE" => SentDate(a.Headers, a.Summary).CompareTo(SentDate(b.Headers, b.Summary)),
                    "SUBJECT" => string.CompareOrdinal(BaseSubject(a.Headers?.Subject), BaseSubject(b.Headers?.Subject)),
                    "FROM" => string.Compare(FirstMailbox(a.Headers?.From), FirstMailbox(b.Headers?.From), StringComparison.OrdinalIgnoreCase),
                    "TO" => string.Compare(FirstMailbox(a.Headers?.To), FirstMailbox(b.Headers?.To), StringComparison.OrdinalIgnoreCase),
                    "DISPLAYFROM" => string.Compare(DisplayName(a.Headers?.From), DisplayName(b.Headers?.From), StringComparison.OrdinalIgnoreCase),
                    "DISPLAYTO" => string.Compare(DisplayName(a.Headers?.To), DisplayName(b.Headers?.To), StringComparison.OrdinalIgnoreCase),
                    "CC" => string.Compare(FirstMailbox(a.Headers?.Cc), FirstMailbox(b.Headers?.Cc), StringComparison.OrdinalIgnoreCase),
                    _ => 0,
                };
                if (c != 0)
                {
                    return rev ? -c : c;
                }
            }

            return a.Seq.CompareTo(b.Seq);
        });
        _writer.Raw("* SORT");
        foreach (var k in keyed)
        {
            _writer.Raw(" ").Number(byUid ? k.Summary.Uid : k.Seq);
        }

        _writer.EndLine();
        await OkAsync(tag, byUid ? "UID SORT completed" : "SORT completed", allowExpunge: byUid, ct: ct);
    }

    /// <summary>The message's top-level headers parsed, shared through the cache and never modified, or null when the header block is too large.</summary>
    private async ValueTask<MimeMessage?> GetParsedHeadersAsync(uint uid, CancellationToken ct)
    {
        var key = KeyOf(uid);
        if (_cache.Get(key).Headers is { } parsed)
        {
            return parsed;
        }

        if (await GetHeaderAsync(uid, ct) is not { } header)
        {
            return null;
        }

        parsed = HeadersOnly(header);
        _cache.Put(key, null, null, parsed);
        return parsed;
    }

    /// <summary>A message holding only the given header block (no body), parsed in memory.</summary>
    private static MimeMessage HeadersOnly(byte[] header)
    {
        using var stream = new MemoryStream(header, writable: false);
        var parser = new MimeParser(stream, MimeFormat.Entity);
        var message = new MimeMessage();
        message.Headers.Clear();
        try
        {
            foreach (var h in parser.ParseHeaders())
            {
                message.Headers.Add(h);
            }
        }
        catch (FormatException)
        {
            // Unparseable headers match no header key, as when the store's copy cannot be parsed.
        }

        return message;
    }

    private async ValueTask<MimeMessage?> LoadHeadersAsync(uint uid, CancellationToken ct)
    {
        try
        {
            if (await GetParsedHeadersAsync(uid, ct) is { } cached)
            {
                return cached;
            }

            await using var stream = await _selected!.Folder.OpenContentAsync(uid, ct);
            var parser = new MimeParser(stream, MimeFormat.Entity);
            var headers = await parser.ParseHeadersAsync(ct);
            var message = new MimeMessage();
            message.Headers.Clear();
            foreach (var h in headers)
            {
                message.Headers.Add(h);
            }

            return message;
        }
        catch (StoreException ex) when (ex.Error == StoreError.NotFound)
        {
            return null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static DateTimeOffset SentDate(MimeMessage? headers, MessageSummary summary) =>
        headers is not null && headers.Headers.Contains(HeaderId.Date) ? headers.Date : summary.InternalDate;

    /// <summary>RFC 5957 display key: the first mailbox's display name, or its address when the name is empty.</summary>
    private static string DisplayName(InternetAddressList? list)
    {
        foreach (var mailbox in list?.Mailboxes ?? [])
        {
            return string.IsNullOrWhiteSpace(mailbox.Name) ? mailbox.Address ?? string.Empty : mailbox.Name.Trim();
        }

        return string.Empty;
    }

    private static string FirstMailbox(InternetAddressList? list)
    {
        if (list is null)
        {
            return string.Empty;
        }

        foreach (var mailbox in list.Mailboxes)
        {
            return mailbox.LocalPart ?? string.Empty;
        }

        return string.Empty;
    }

    /// <summary>The RFC 5256 (2.1) base subject: reply/forward leaders, blobs, "(fwd)" trailers and "[fwd: ]" wrappers removed, spaces collapsed, ASCII case folded.</summary>
    internal static string BaseSubject(string? subject)
    {
        // (1) Encoded-words are already decoded; tabs and line breaks become spaces and runs of spaces collapse.
        var sb = new StringBuilder((subject ?? string.Empty).Length);
        foreach (var c in subject ?? string.Empty)
        {
            var ch = c is '\t' or '\r' or '\n' ? ' ' : c;
            if (ch != ' ' || (sb.Length > 0 && sb[^1] != ' '))
            {
                sb.Append(ch);
            }
        }

        var s = sb.ToString().Trim();
        while (true)
        {
            string before;
            do
            {
                before = s;

                // (2) Trailing "(fwd)" and spaces.
                while (true)
                {
                    s = s.TrimEnd();
                    if (!s.EndsWith("(fwd)", StringComparison.OrdinalIgnoreCase))
                    {
                        break;
                    }

                    s = s[..^5];
                }

                // (3) Leading subj-leaders ("re:", "fw:", "fwd:" after optional blobs), then a lone leading blob when text remains.
                while (true)
                {
                    s = s.TrimStart();
                    if (SubjectLeader().Match(s) is { Success: true } leader)
                    {
                        s = s[leader.Length..];
                        continue;
                    }

                    if (SubjectBlob().Match(s) is { Success: true } blob && s[blob.Length..].Trim().Length > 0)
                    {
                        s = s[blob.Length..];
                        continue;
                    }

                    break;
                }
            }
            while (s != before);

            // (5) A "[fwd: ...]" wrapper is removed and the rules applied again.
            if (s.Length >= 6 && s.StartsWith("[fwd:", StringComparison.OrdinalIgnoreCase) && s.EndsWith(']'))
            {
                s = s[5..^1];
                continue;
            }

            break;
        }

        // i;ascii-casemap: only ASCII letters fold.
        return string.Create(s.Length, s, static (span, text) =>
        {
            for (var k = 0; k < text.Length; k++)
            {
                span[k] = text[k] is >= 'a' and <= 'z' ? (char)(text[k] - 32) : text[k];
            }
        });
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\[[^\[\]]*\] *)*(re|fwd?) *(\[[^\[\]]*\] *)?:", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SubjectLeader();

    [System.Text.RegularExpressions.GeneratedRegex(@"^\[[^\[\]]*\] *")]
    private static partial System.Text.RegularExpressions.Regex SubjectBlob();
}
