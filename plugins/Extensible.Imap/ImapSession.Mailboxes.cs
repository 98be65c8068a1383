using Extensible.Imap.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Imap;

/// <summary>CREATE, DELETE, RENAME, SUBSCRIBE, LIST/LSUB (LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), STATUS, NAMESPACE, QUOTA.</summary>
internal sealed partial class ImapSession
{
    private const char Delimiter = '/';

    private string ReadMailboxPath(ImapParser p) => DecodeName(p.ReadMailbox());

    /// <summary>Turns a wire mailbox name into a store path: modified UTF-7 unless UTF8=ACCEPT, INBOX case-folded.</summary>
    private string DecodeName(string wire)
    {
        string name;
        if (_utf8)
        {
            name = wire;
        }
        else if (!ModifiedUtf7.TryDecode(wire, out name))
        {
            throw new ImapParseException("Mailbox name is not valid modified UTF-7");
        }

        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX";
        }

        if (name.StartsWith("INBOX/", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX" + name[5..];
        }

        return name;
    }

    private string EncodeName(string path) => _utf8 ? path : ModifiedUtf7.Encode(path);

    private async ValueTask CreateAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var path = ReadMailboxPath(p).TrimEnd(Delimiter);
        var use = SpecialUse.None;
        if (p.TryConsume(' '))
        {
            p.Expect('(');
            var param = p.ReadAtom().ToUpperInvariant();
            if (param != "USE")
            {
                throw new ImapParseException("Unknown CREATE parameter");
            }

            p.Space();
            var flags = p.ReadFlagList(allowBare: false);
            p.Expect(')');
            foreach (var flag in flags)
            {
                use = ParseSpecialUse(flag) ?? throw new ImapNoException("Unsupported special-use attribute", "USEATTR");
            }
        }

        p.ExpectEnd();
        if (path.Length == 0 || path == "INBOX")
        {
            throw new ImapNoException("Mailbox already exists", "ALREADYEXISTS");
        }

        await _mailbox!.CreateFolderAsync(path, use, ct);
        await OkAsync(tag, "CREATE completed", ct: ct);
    }

    private static SpecialUse? ParseSpecialUse(string flag) => flag.ToUpperInvariant() switch
    {
        "\\ALL" => SpecialUse.All,
        "\\ARCHIVE" => SpecialUse.Archive,
        "\\DRAFTS" => SpecialUse.Drafts,
        "\\FLAGGED" => SpecialUse.Flagged,
        "\\JUNK" => SpecialUse.Junk,
        "\\SENT" => SpecialUse.Sent,
        "\\TRASH" => SpecialUse.Trash,
        _ => null,
    };

    private static string? SpecialUseAttribute(SpecialUse use) => use switch
    {
        SpecialUse.All => "\\All",
        SpecialUse.Archive => "\\Archive",
        SpecialUse.Drafts => "\\Drafts",
        SpecialUse.Flagged => "\\Flagged",
        SpecialUse.Junk => "\\Junk",
        SpecialUse.Sent => "\\Sent",
        SpecialUse.Trash => "\\Trash",
        _ => null,
    };

    private async ValueTask DeleteAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var path = ReadMailboxPath(p);
        p.ExpectEnd();
        if (path == "INBOX")
        {
            throw new ImapNoException("INBOX cannot be deleted", "CANNOT");
        }

        if (_selected is not null && SamePath(_selected.Path, path))
        {
            await UnselectAsync(expunge: false, ct);
        }

        await _mailbox!.DeleteFolderAsync(path, ct);
        await OkAsync(tag, "DELETE completed", ct: ct);
    }

    private async ValueTask RenameAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var from = ReadMailboxPath(p);
        p.Space();
        var to = ReadMailboxPath(p).TrimEnd(Delimiter);
        p.ExpectEnd();
        await _mailbox!.RenameFolderAsync(from, to, ct);
        await OkAsync(tag, "RENAME completed", ct: ct);
    }

    private async ValueTask SubscribeAsync(string tag, ImapParser p, bool subscribe, CancellationToken ct)
    {
        p.Space();
        var path = ReadMailboxPath(p);
        p.ExpectEnd();
        await _mailbox!.SetSubscribedAsync(path, subscribe, ct);
        await OkAsync(tag, subscribe ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed", ct: ct);
    }

    private async ValueTask ListAsync(string tag, ImapParser p, bool lsub, CancellationToken ct)
    {
        p.Space();
        bool selectSubscribed = false, selectSpecialUse = false, returnSubscribed = lsub, returnSpecialUse = true, returnChildren = true;
        List<string>? statusItems = null;
        if (!lsub && p.TryConsume('('))
        {
            if (!p.TryConsume(')'))
            {
                do
                {
                    switch (p.ReadAtom().ToUpperInvariant())
                    {
                        case "SUBSCRIBED": selectSubscribed = true; returnSubscribed = true; break;
                        case "SPECIAL-USE": selectSpecialUse = true; break;
                        case "REMOTE" or "RECURSIVEMATCH": break;
                        default: throw new ImapParseException("Unknown LIST selection option");
                    }
                }
                while (p.TryConsume(' '));
                p.Expect(')');
            }

            p.Space();
        }

        var reference = DecodeName(p.ReadMailbox());
        p.Space();
        var patterns = new List<string>();
        if (!lsub && p.TryConsume('('))
        {
            do
            {
                patterns.Add(p.ReadListMailbox());
            }
            while (p.TryConsume(' '));
            p.Expect(')');
        }
        else
        {
            patterns.Add(p.ReadListMailbox());
        }

        if (!lsub && p.TryConsume(' '))
        {
            if (!p.ReadAtom().Equals("RETURN", StringComparison.OrdinalIgnoreCase))
            {
                throw new ImapParseException("Expected RETURN");
            }

            p.Space();
            p.Expect('(');
            if (!p.TryConsume(')'))
            {
                do
                {
                    switch (p.ReadAtom().ToUpperInvariant())
                    {
                        case "SUBSCRIBED": returnSubscribed = true; break;
                        case "CHILDREN": returnChildren = true; break;
                        case "SPECIAL-USE": returnSpecialUse = true; break;
                        case "STATUS":
                            p.Space();
                            statusItems = ReadStatusItems(p);
                            break;
                        default: throw new ImapParseException("Unknown LIST return option");
                    }
                }
                while (p.TryConsume(' '));
                p.Expect(')');
            }
        }

        p.ExpectEnd();
        if (patterns.Count == 1 && patterns[0].Length == 0 && !lsub)
        {
            _writer.Line("* LIST (\\Noselect) \"/\" \"\"");
            await OkAsync(tag, "LIST completed", ct: ct);
            return;
        }

        var folders = await _mailbox!.ListFoldersAsync(ct);
        var subscriptions = returnSubscribed ? new HashSet<string>(await _mailbox.ListSubscriptionsAsync(ct), StringComparer.Ordinal) : null;
        var regexes = patterns.Select(pattern => DecodeName(Combine(reference, pattern))).ToList();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            if (!regexes.Exists(r => Matches(r, folder.Path)))
            {
                continue;
            }

            var subscribed = subscriptions?.Contains(folder.Path) == true || (folder.Subscribed && returnSubscribed);
            if ((lsub || selectSubscribed) && !subscribed)
            {
                continue;
            }

            if (selectSpecialUse && folder.SpecialUse == SpecialUse.None)
            {
                continue;
            }

            listed.Add(folder.Path);
            _writer.Raw(lsub ? "* LSUB (" : "* LIST (");
            var attributes = new List<string>();
            if (returnChildren && !lsub)
            {
                attributes.Add(folder.HasChildren ? "\\HasChildren" : "\\HasNoChildren");
            }

            if (returnSpecialUse && SpecialUseAttribute(folder.SpecialUse) is { } use && !lsub)
            {
                attributes.Add(use);
            }

            if (subscribed && !lsub)
            {
                attributes.Add("\\Subscribed");
            }

            _writer.Raw(string.Join(' ', attributes)).Raw(") \"/\" ").String(EncodeName(folder.Path)).EndLine();
            if (statusItems is not null)
            {
                var status = await _mailbox.GetStatusAsync(folder.Path, ct);
                if (status is not null)
                {
                    WriteStatus(folder.Path, status, statusItems);
                }
            }

            await _writer.MaybeFlushAsync(ct);
        }

        if ((selectSubscribed || lsub) && subscriptions is not null)
        {
            foreach (var path in subscriptions.Order(StringComparer.Ordinal))
            {
                if (!listed.Contains(path) && regexes.Exists(r => Matches(r, path)))
                {
                    _writer.Raw(lsub ? "* LSUB (\\Noselect) \"/\" " : "* LIST (\\NonExistent \\Subscribed) \"/\" ").String(EncodeName(path)).EndLine();
                }
            }
        }

        await OkAsync(tag, lsub ? "LSUB completed" : "LIST completed", ct: ct);
    }

    private static string Combine(string reference, string pattern) =>
        reference.Length == 0 || pattern.StartsWith(Delimiter) ? pattern : reference.TrimEnd(Delimiter) + Delimiter + pattern;

    /// <summary>Matches a LIST pattern: '*' spans anything, '%' anything but the delimiter; INBOX ignores case.</summary>
    internal static bool Matches(string pattern, string name)
    {
        if (name.StartsWith("INBOX", StringComparison.Ordinal) && pattern.StartsWith("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            pattern = "INBOX" + pattern[5..];
        }

        return Match(pattern.AsSpan(), name.AsSpan(), 0);

        static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> name, int depth)
        {
            if (depth > 64)
            {
                return false;
            }

            while (pattern.Length > 0)
            {
                var c = pattern[0];
                if (c is '*' or '%')
                {
                    var rest = pattern[1..];
                    for (var i = 0; i <= name.Length; i++)
                    {
                        if (Match(rest, name[i..], depth + 1))
                        {
                            return true;
                        }

                        if (i < name.Length && c == '%' && name[i] == Delimiter)
                        {
                            return false;
                        }
                    }

                    return false;
                }

                if (name.Length == 0 || name[0] != c)
                {
                    return false;
                }

                pattern = pattern[1..];
                name = name[1..];
            }

            return name.Length == 0;
        }
    }

    private static List<string> ReadStatusItems(ImapParser p)
    {
        p.Expect('(');
        var items = new List<string>();
        do
        {
            var item = p.ReadAtom().ToUpperInvariant();
            if (item is not ("MESSAGES" or "RECENT" or "UIDNEXT" or "UIDVALIDITY" or "UNSEEN" or "DELETED" or "SIZE" or "HIGHESTMODSEQ" or "APPENDLIMIT"))
            {
                throw new ImapParseException("Unknown STATUS item " + item);
            }

            items.Add(item);
        }
        while (p.TryConsume(' '));
        p.Expect(')');
        return items;
    }

    private async ValueTask StatusAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var path = ReadMailboxPath(p);
        p.Space();
        var items = ReadStatusItems(p);
        p.ExpectEnd();
        var status = await _mailbox!.GetStatusAsync(path, ct) ?? throw new ImapNoException("Mailbox does not exist", "NONEXISTENT");
        if (items.Contains("HIGHESTMODSEQ"))
        {
            _condstore = true;
        }

        WriteStatus(path, status, items);
        await OkAsync(tag, "STATUS completed", ct: ct);
    }

    private void WriteStatus(string path, FolderStatus status, List<string> items)
    {
        _writer.Raw("* STATUS ").String(EncodeName(path)).Raw(" (");
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                _writer.Raw(" ");
            }

            _writer.Raw(items[i]).Raw(" ");
            _ = items[i] switch
            {
                "MESSAGES" => _writer.Number(status.Messages),
                "RECENT" => _writer.Number(0),
                "UIDNEXT" => _writer.Number(status.UidNext),
                "UIDVALIDITY" => _writer.Number(status.UidValidity),
                "UNSEEN" => _writer.Number(status.Unseen),
                "DELETED" => _writer.Number(status.Deleted),
                "SIZE" => _writer.Number((ulong)Math.Max(0, status.Size)),
                "HIGHESTMODSEQ" => _writer.Number(Math.Max(1, status.HighestModSeq)),
                _ => _writer.Number((ulong)_options.MaxLiteralSize),
            };
        }

        _writer.Raw(")").EndLine();
    }

    private async ValueTask NamespaceAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.ExpectEnd();
        _writer.Line("* NAMESPACE ((\"\" \"/\")) NIL NIL");
        await OkAsync(tag, "NAMESPACE completed", ct: ct);
    }

    private async ValueTask GetQuotaRootAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var path = ReadMailboxPath(p);
        p.ExpectEnd();
        if (await _mailbox!.GetStatusAsync(path, ct) is null)
        {
            throw new ImapNoException("Mailbox does not exist", "NONEXISTENT");
        }

        _writer.Raw("* QUOTAROOT ").String(EncodeName(path)).Raw(" \"\"").EndLine();
        await WriteQuotaAsync(ct);
        await OkAsync(tag, "GETQUOTAROOT completed", ct: ct);
    }

    private async ValueTask GetQuotaAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.Space();
        var root = p.ReadAString();
        p.ExpectEnd();
        if (root.Length != 0)
        {
            throw new ImapNoException("No such quota root", "NONEXISTENT");
        }

        await WriteQuotaAsync(ct);
        await OkAsync(tag, "GETQUOTA completed", ct: ct);
    }

    private async ValueTask WriteQuotaAsync(CancellationToken ct)
    {
        var quota = await _mailbox!.GetQuotaAsync(ct);
        var parts = new List<string>();
        if (quota.Limit.MaxBytes > 0)
        {
            parts.Add($"STORAGE {(quota.UsedBytes + 1023) / 1024} {quota.Limit.MaxBytes / 1024}");
        }

        if (quota.Limit.MaxMessages > 0)
        {
            parts.Add($"MESSAGE {quota.UsedMessages} {quota.Limit.MaxMessages}");
        }

        _writer.Raw("* QUOTA \"\" (").Raw(string.Join(' ', parts)).Raw(")").EndLine();
    }
}
