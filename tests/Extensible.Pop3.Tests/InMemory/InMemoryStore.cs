using System.Text;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Pop3.Tests.InMemory;

/// <summary>A small in-memory message store and user directory: one INBOX per user, enough for session tests without sockets.</summary>
public sealed class InMemoryStore : IMessageStore, IUserDirectory
{
    private readonly Dictionary<string, (MailUser User, string Password)> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<StoredMessage>> _inboxes = new();
    private readonly Lock _gate = new();
    private uint _nextUid = 1;

    public const uint UidValidity = 1234;

    public MailUser AddUser(string address, string password)
    {
        var user = new MailUser("id-" + address, address, null, [], StorageQuota.Unlimited);
        lock (_gate)
        {
            _users[address] = (user, password);
            _inboxes[user.Id] = [];
        }

        return user;
    }

    public uint Add(MailUser user, string content, StoreFlags flags = StoreFlags.None)
    {
        lock (_gate)
        {
            var uid = _nextUid++;
            _inboxes[user.Id].Add(new StoredMessage(uid, Encoding.UTF8.GetBytes(content)) { Flags = flags });
            return uid;
        }
    }

    public IReadOnlyList<(uint Uid, StoreFlags Flags)> Inbox(MailUser user)
    {
        lock (_gate)
        {
            return [.. _inboxes[user.Id].Select(m => (m.Uid, m.Flags))];
        }
    }

    public ValueTask<IMailbox> OpenMailboxAsync(MailUser user, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IMailbox>(new Mailbox(this, user));

    public ValueTask<IReadOnlyList<LocalDeliveryResult>> DeliverAsync(IReadOnlyList<LocalDelivery> deliveries, Stream content, DateTimeOffset internalDate, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public IDisposable WatchChanges(MailUser user, Action<MailboxChange> onChange) => throw new NotSupportedException();

    public ValueTask<bool> IsLocalDomainAsync(string domain, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

    public ValueTask<RecipientResolution> ResolveRecipientAsync(string address, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask<MailUser?> FindAsync(string loginOrAddress, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_users.TryGetValue(loginOrAddress, out var entry) ? entry.User : null);
        }
    }

    public ValueTask<MailUser?> AuthenticateAsync(string login, string password, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_users.TryGetValue(login, out var entry) && entry.Password == password ? entry.User : null);
        }
    }

    private sealed class StoredMessage(uint uid, byte[] content)
    {
        public uint Uid { get; } = uid;

        public byte[] Content { get; } = content;

        public StoreFlags Flags { get; set; }

        public MessageSummary Summary => new(Uid, Content.Length, Flags, [], DateTimeOffset.UnixEpoch, 1);
    }

    private sealed class Mailbox(InMemoryStore store, MailUser user) : IMailbox
    {
        public MailUser User => user;

        public ValueTask<IMessageFolder?> OpenFolderAsync(string path, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IMessageFolder?>(path == "INBOX" ? new Folder(store, user) : null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<FolderInfo>> ListFoldersAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<string>> ListSubscriptionsAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<FolderInfo> CreateFolderAsync(string path, SpecialUse specialUse = SpecialUse.None, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask DeleteFolderAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask RenameFolderAsync(string path, string newPath, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask SetSubscribedAsync(string path, bool subscribed, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<FolderStatus?> GetStatusAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<AppendResult> AppendAsync(string path, Stream content, StoreFlags flags, IReadOnlyCollection<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<QuotaUsage> GetQuotaAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class Folder(InMemoryStore store, MailUser user) : IMessageFolder
    {
        private List<StoredMessage> Messages => store._inboxes[user.Id];

        public string Path => "INBOX";

        public uint UidValidity => InMemoryStore.UidValidity;

        public ValueTask<IReadOnlyList<MessageSummary>> ListAsync(uint fromUid = 1, uint toUid = uint.MaxValue, CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                return ValueTask.FromResult<IReadOnlyList<MessageSummary>>([.. Messages.Where(m => m.Uid >= fromUid && m.Uid <= toUid).Select(m => m.Summary)]);
            }
        }

        public ValueTask<Stream> OpenContentAsync(uint uid, CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                var message = Messages.FirstOrDefault(m => m.Uid == uid) ?? throw new StoreException(StoreError.NotFound, "no such message");
                return ValueTask.FromResult<Stream>(new MemoryStream(message.Content, writable: false));
            }
        }

        public ValueTask<FlagUpdateResult> UpdateFlagsAsync(IReadOnlyCollection<uint> uids, FlagChange change, ulong? unchangedSince = null, CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                foreach (var message in Messages.Where(m => uids.Contains(m.Uid)))
                {
                    message.Flags = change.Operation switch
                    {
                        FlagOperation.Add => message.Flags | change.Flags,
                        FlagOperation.Remove => message.Flags & ~change.Flags,
                        _ => change.Flags,
                    };
                }

                return ValueTask.FromResult(new FlagUpdateResult([], []));
            }
        }

        public ValueTask<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyCollection<uint>? uids = null, CancellationToken cancellationToken = default)
        {
            lock (store._gate)
            {
                var gone = Messages.Where(m => (m.Flags & StoreFlags.Deleted) != 0 && (uids is null || uids.Contains(m.Uid))).ToList();
                Messages.RemoveAll(gone.Contains);
                return ValueTask.FromResult<IReadOnlyList<uint>>([.. gone.Select(m => m.Uid)]);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        public ValueTask<FolderStatus> GetStatusAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<MessageSummary>> ListChangedSinceAsync(ulong modSeq, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<uint>> ListExpungedSinceAsync(ulong modSeq, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<AppendResult> AppendAsync(Stream content, StoreFlags flags, IReadOnlyCollection<string> keywords, DateTimeOffset internalDate, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<CopyResult> CopyAsync(IReadOnlyCollection<uint> uids, string targetPath, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<CopyResult> MoveAsync(IReadOnlyCollection<uint> uids, string targetPath, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<string?> GetCachedAsync(uint uid, string key, CancellationToken cancellationToken = default) => ValueTask.FromResult<string?>(null);

        public ValueTask SetCachedAsync(uint uid, string key, string value, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
