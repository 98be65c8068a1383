using MimeKit;

namespace Extensible.Imap.Mime;

/// <summary>A process-wide, byte-bounded LRU cache of what FETCH and SEARCH derive from a message's immutable bytes.</summary>
/// <remarks>Keys carry the account id, folder path, UIDVALIDITY and UID, so an entry can only ever serve the message it was read from.</remarks>
internal sealed class MessageCache(long capacityBytes)
{
    private const int EntryOverhead = 160;
    private readonly Dictionary<MessageKey, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _lru = new();
    private readonly Lock _lock = new();
    private long _bytes;
    private int _pendingSaves;

    /// <summary>Most background writes of MIME summaries to the store's cache in flight at once; more are skipped, not queued.</summary>
    public const int MaxPendingSaves = 64;

    /// <summary>Reserves a slot for a background store-cache write; false when <see cref="MaxPendingSaves"/> are in flight.</summary>
    public bool TryBeginSave()
    {
        if (Interlocked.Increment(ref _pendingSaves) <= MaxPendingSaves)
        {
            return true;
        }

        Interlocked.Decrement(ref _pendingSaves);
        return false;
    }

    /// <summary>Releases a slot taken with <see cref="TryBeginSave"/>.</summary>
    public void EndSave() => Interlocked.Decrement(ref _pendingSaves);

    /// <summary>Bytes the cache holds now (estimated).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Returns the cached MIME summary, top-level header block and its parsed headers (read-only, shared); any may be null.</summary>
    public (MessageInfo? Info, byte[]? Header, MimeMessage? Headers) Get(in MessageKey key)
    {
        if (capacityBytes <= 0)
        {
            return default;
        }

        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return default;
            }

            _lru.Remove(node);
            _lru.AddFirst(node);
            return (node.Value.Info, node.Value.Header, node.Value.Headers);
        }
    }

    /// <summary>Stores what is given of a message's MIME summary, header block and parsed headers, evicting least recently used entries beyond the capacity.</summary>
    public void Put(in MessageKey key, MessageInfo? info, byte[]? header, MimeMessage? headers = null)
    {
        if (capacityBytes <= 0)
        {
            return;
        }

        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                node = _lru.AddFirst(new Entry(key));
                _entries[key] = node;
            }
            else
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
            }

            var entry = node.Value;
            _bytes -= entry.Size;
            entry.Info = info ?? entry.Info;
            entry.Header = header ?? entry.Header;
            entry.Headers = headers ?? entry.Headers;
            entry.Size = EntryOverhead + key.Path.Length * 2 + (entry.Header?.Length ?? 0) + (entry.Info is { } i ? Estimate(i) : 0)
                + (entry.Headers is null ? 0 : 512 + 4L * (entry.Header?.Length ?? 0));
            _bytes += entry.Size;
            while (_bytes > capacityBytes && _lru.Last is { } last)
            {
                _lru.RemoveLast();
                _entries.Remove(last.Value.Key);
                _bytes -= last.Value.Size;
            }
        }
    }

    private static long Estimate(MessageInfo info) => 2L * (info.Envelope.Length + info.BodyStructure.Length + info.Body.Length) + 64 * Count(info.Root);

    private static int Count(MimePartInfo part)
    {
        var n = 1;
        foreach (var child in part.Parts)
        {
            n += Count(child);
        }

        return part.Message is null ? n : n + Count(part.Message);
    }

    private sealed class Entry(MessageKey key)
    {
        public MessageKey Key { get; } = key;

        public MessageInfo? Info { get; set; }

        public byte[]? Header { get; set; }

        public MimeMessage? Headers { get; set; }

        public long Size { get; set; }
    }
}

/// <summary>Names one stored message across the process: account, folder, UIDVALIDITY and UID.</summary>
internal readonly record struct MessageKey(string AccountId, string Path, uint UidValidity, uint Uid);
