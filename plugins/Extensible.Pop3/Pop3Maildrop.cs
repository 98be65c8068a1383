using Extensible.Sdk.Storage;

namespace Extensible.Pop3;

/// <summary>The INBOX snapshot a POP3 session works on: messages numbered from 1 as they were at login, with DELE marks.</summary>
public sealed class Pop3Maildrop : IAsyncDisposable
{
    private static readonly FlagChange AddSeen = new(FlagOperation.Add, StoreFlags.Seen, []);
    private static readonly FlagChange AddDeleted = new(FlagOperation.Add, StoreFlags.Deleted, []);

    private readonly IMailbox _mailbox;
    private readonly IMessageFolder _folder;
    private readonly MessageSummary[] _messages;
    private readonly bool[] _deleted;
    private readonly bool[] _seen;
    private readonly List<uint> _pendingSeen = [];
    private readonly List<uint> _queuedSeen = [];
    private readonly Lock _seenLock = new();
    private Task _seenWrite = Task.CompletedTask;
    private bool _seenWriting;

    private Pop3Maildrop(IMailbox mailbox, IMessageFolder folder, IReadOnlyList<MessageSummary> messages)
    {
        _mailbox = mailbox;
        _folder = folder;
        _messages = [.. messages];
        _deleted = new bool[_messages.Length];
        _seen = new bool[_messages.Length];
        for (var i = 0; i < _messages.Length; i++)
        {
            _seen[i] = (_messages[i].Flags & StoreFlags.Seen) != 0;
        }
    }

    /// <summary>Messages in the snapshot, marked or not.</summary>
    public int Count => _messages.Length;

    /// <summary>Opens the account's INBOX and takes the snapshot; disposes what it opened when it fails.</summary>
    public static async Task<Pop3Maildrop> OpenAsync(IMessageStore store, Sdk.Users.MailUser user, CancellationToken cancellationToken)
    {
        var mailbox = await store.OpenMailboxAsync(user, cancellationToken);
        IMessageFolder? folder = null;
        try
        {
            folder = await mailbox.OpenFolderAsync("INBOX", cancellationToken)
                ?? throw new StoreException(StoreError.NotFound, "INBOX does not exist");
            var messages = await folder.ListAsync(cancellationToken: cancellationToken);
            return new Pop3Maildrop(mailbox, folder, messages);
        }
        catch
        {
            if (folder is not null)
            {
                await folder.DisposeAsync();
            }

            await mailbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>Messages not marked deleted and their total size in octets (STAT).</summary>
    public (int Count, long Size) Totals()
    {
        var count = 0;
        var size = 0L;
        for (var i = 0; i < _messages.Length; i++)
        {
            if (!_deleted[i])
            {
                count++;
                size += _messages[i].Size;
            }
        }

        return (count, size);
    }

    /// <summary>True when <paramref name="number"/> names a message of the snapshot that is not marked deleted.</summary>
    public bool IsLive(int number) => number >= 1 && number <= _messages.Length && !_deleted[number - 1];

    /// <summary>True when <paramref name="number"/> names a message of the snapshot, marked or not.</summary>
    public bool Exists(int number) => number >= 1 && number <= _messages.Length;

    /// <summary>The summary of message <paramref name="number"/> (1-based).</summary>
    public MessageSummary this[int number] => _messages[number - 1];

    /// <summary>The RFC 1939 unique-id: UIDVALIDITY and UID in hex, stable while the store keeps them.</summary>
    public string UniqueId(int number) => $"{_folder.UidValidity:x8}{_messages[number - 1].Uid:x8}";

    /// <summary>Opens the bytes of message <paramref name="number"/>.</summary>
    public ValueTask<Stream> OpenContentAsync(int number, CancellationToken cancellationToken) =>
        _folder.OpenContentAsync(_messages[number - 1].Uid, cancellationToken);

    /// <summary>
    /// Sets \Seen on message <paramref name="number"/> unless this session knows it has it. The store write runs behind
    /// the session (RETR does not wait for its fsync; writes from several RETRs coalesce); with <paramref name="defer"/>
    /// it is only noted. <see cref="FlushSeenAsync"/> waits for both.
    /// </summary>
    public void MarkSeen(int number, bool defer)
    {
        if (_seen[number - 1])
        {
            return;
        }

        _seen[number - 1] = true;
        var uid = _messages[number - 1].Uid;
        if (defer)
        {
            _pendingSeen.Add(uid);
            return;
        }

        lock (_seenLock)
        {
            _queuedSeen.Add(uid);
            if (!_seenWriting)
            {
                _seenWriting = true;
                _seenWrite = WriteQueuedSeenAsync();
            }
        }
    }

    /// <summary>Waits for the \Seen writes under way, then stores the deferred ones in one update.</summary>
    public async ValueTask FlushSeenAsync(CancellationToken cancellationToken)
    {
        await _seenWrite.WaitAsync(cancellationToken);
        if (_pendingSeen.Count == 0)
        {
            return;
        }

        await _folder.UpdateFlagsAsync(_pendingSeen, AddSeen, cancellationToken: cancellationToken);
        _pendingSeen.Clear();
    }

    private async Task WriteQueuedSeenAsync()
    {
        while (true)
        {
            uint[] batch;
            lock (_seenLock)
            {
                if (_queuedSeen.Count == 0)
                {
                    _seenWriting = false;
                    return;
                }

                batch = [.. _queuedSeen];
                _queuedSeen.Clear();
            }

            try
            {
                await _folder.UpdateFlagsAsync(batch, AddSeen);
            }
            catch
            {
                lock (_seenLock)
                {
                    _queuedSeen.Clear();
                    _seenWriting = false;
                }

                throw;
            }
        }
    }

    /// <summary>Marks message <paramref name="number"/> for deletion at QUIT.</summary>
    public void MarkDeleted(int number) => _deleted[number - 1] = true;

    /// <summary>Unmarks every message (RSET).</summary>
    public void Reset() => Array.Clear(_deleted);

    /// <summary>The UPDATE state: flags the marked messages \Deleted and expunges exactly those; returns how many went.</summary>
    public async ValueTask<int> CommitAsync(CancellationToken cancellationToken)
    {
        var uids = new List<uint>();
        for (var i = 0; i < _messages.Length; i++)
        {
            if (_deleted[i])
            {
                uids.Add(_messages[i].Uid);
            }
        }

        if (uids.Count == 0)
        {
            return 0;
        }

        await _folder.UpdateFlagsAsync(uids, AddDeleted, cancellationToken: cancellationToken);
        var expunged = await _folder.ExpungeAsync(uids, cancellationToken);
        return expunged.Count;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _seenWrite;
        }
        catch (Exception ex) when (ex is StoreException or IOException or ObjectDisposedException)
        {
            // Already reported by FlushSeenAsync when the session ended normally; a flag is not mail.
        }

        await _folder.DisposeAsync();
        await _mailbox.DisposeAsync();
    }
}
