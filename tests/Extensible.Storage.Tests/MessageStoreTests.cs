using Extensible.Sdk.Storage;

namespace Extensible.Storage.Tests;

public sealed class MessageStoreTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task New_account_has_inbox_and_special_use_folders_subscribed()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        var folders = await mailbox.ListFoldersAsync(Token);
        Assert.Equal("INBOX", folders[0].Path);
        foreach (var use in new[] { SpecialUse.Sent, SpecialUse.Drafts, SpecialUse.Trash, SpecialUse.Junk, SpecialUse.Archive })
        {
            Assert.Contains(folders, f => f.SpecialUse == use && f.Subscribed);
        }
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(200_000)]
    public async Task Appended_message_reads_back_byte_for_byte(int size)
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        var bytes = Some.Bytes(size, 7);
        var result = await mailbox.AppendAsync("INBOX", new MemoryStream(bytes), StoreFlags.Seen, ["$Label1"], DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), Token);
        await using var folder = (await mailbox.OpenFolderAsync("inbox", Token))!;
        Assert.Equal(folder.UidValidity, result.UidValidity);
        var summary = Assert.Single(await folder.ListAsync(cancellationToken: Token));
        Assert.Equal((result.Uid, (long)size, StoreFlags.Seen), (summary.Uid, summary.Size, summary.Flags));
        Assert.Equal(["$Label1"], summary.Keywords);
        Assert.Equal(1_700_000_000, summary.InternalDate.ToUnixTimeSeconds());
        Assert.Equal(bytes, await Some.ReadAllAsync(await folder.OpenContentAsync(result.Uid, Token)));
        var status = await folder.GetStatusAsync(Token);
        Assert.Equal((1u, 0u, result.Uid + 1, (long)size), (status.Messages, status.Unseen, status.UidNext, status.Size));
    }

    [Fact]
    public async Task Flags_modseq_expunge_and_vanished_follow_condstore_rules()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        await using var folder = (await mailbox.OpenFolderAsync("INBOX", Token))!;
        var a = await folder.AppendAsync(Some.Message("a"), StoreFlags.None, [], DateTimeOffset.UtcNow, Token);
        var b = await folder.AppendAsync(Some.Message("b"), StoreFlags.None, [], DateTimeOffset.UtcNow, Token);
        Assert.True(b.Uid > a.Uid && b.ModSeq > a.ModSeq);

        var update = await folder.UpdateFlagsAsync([a.Uid, b.Uid], new FlagChange(FlagOperation.Add, StoreFlags.Deleted, ["Work"]), cancellationToken: Token);
        Assert.Equal(2, update.Updated.Count);
        Assert.All(update.Updated, m => Assert.True(m.Flags.HasFlag(StoreFlags.Deleted) && m.ModSeq > b.ModSeq));
        var stale = await folder.UpdateFlagsAsync([a.Uid], new FlagChange(FlagOperation.Add, StoreFlags.Seen, []), unchangedSince: b.ModSeq, Token);
        Assert.Equal([a.Uid], stale.Modified);
        var changed = await folder.ListChangedSinceAsync(b.ModSeq, Token);
        Assert.Equal(2, changed.Count);

        var before = (await folder.GetStatusAsync(Token)).HighestModSeq;
        var expunged = await folder.ExpungeAsync([a.Uid], Token);
        Assert.Equal([a.Uid], expunged);
        Assert.Equal([a.Uid], await folder.ListExpungedSinceAsync(before, Token));
        await Assert.ThrowsAsync<StoreException>(async () => await folder.OpenContentAsync(a.Uid, Token));
        Assert.Equal([b.Uid], (await folder.ListAsync(cancellationToken: Token)).Select(m => m.Uid));
    }

    [Fact]
    public async Task Copy_and_move_keep_flags_and_give_new_uids()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        await using var inbox = (await mailbox.OpenFolderAsync("INBOX", Token))!;
        var a = await inbox.AppendAsync(Some.Message("a"), StoreFlags.Flagged, ["K"], DateTimeOffset.UtcNow, Token);
        var copy = await inbox.CopyAsync([a.Uid], "Archive", Token);
        var move = await inbox.MoveAsync([a.Uid], "Trash", Token);
        Assert.Equal([a.Uid], copy.SourceUids);
        Assert.Empty(await inbox.ListAsync(cancellationToken: Token));
        await using var trash = (await mailbox.OpenFolderAsync("Trash", Token))!;
        var moved = Assert.Single(await trash.ListAsync(cancellationToken: Token));
        Assert.Equal((move.TargetUids[0], StoreFlags.Flagged), (moved.Uid, moved.Flags));
        var quota = await mailbox.GetQuotaAsync(Token);
        Assert.Equal(2, quota.UsedMessages);
        var missing = await Assert.ThrowsAsync<StoreException>(async () => await trash.CopyAsync([moved.Uid], "Nope", Token));
        Assert.Equal(StoreError.NotFound, missing.Error);
    }

    [Fact]
    public async Task Folders_create_rename_delete_and_inbox_rules()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        await mailbox.CreateFolderAsync("Projects/2026/Q1", cancellationToken: Token);
        Assert.Equal(StoreError.AlreadyExists, (await Assert.ThrowsAsync<StoreException>(async () => await mailbox.CreateFolderAsync("Projects", cancellationToken: Token))).Error);
        await mailbox.RenameFolderAsync("Projects", "Old", Token);
        var paths = (await mailbox.ListFoldersAsync(Token)).Select(f => f.Path).ToList();
        Assert.Contains("Old/2026/Q1", paths);
        Assert.DoesNotContain("Projects", paths);
        Assert.True((await mailbox.ListFoldersAsync(Token)).Single(f => f.Path == "Old").HasChildren);

        await mailbox.AppendAsync("INBOX", Some.Message(), StoreFlags.None, [], DateTimeOffset.UtcNow, Token);
        await mailbox.RenameFolderAsync("INBOX", "Saved", Token);
        Assert.Equal(1u, (await mailbox.GetStatusAsync("Saved", Token))!.Messages);
        Assert.Equal(0u, (await mailbox.GetStatusAsync("INBOX", Token))!.Messages);
        Assert.Equal(StoreError.NotAllowed, (await Assert.ThrowsAsync<StoreException>(async () => await mailbox.DeleteFolderAsync("INBOX", Token))).Error);
        await mailbox.DeleteFolderAsync("Saved", Token);
        Assert.Null(await mailbox.GetStatusAsync("Saved", Token));
        Assert.Equal(0, (await mailbox.GetQuotaAsync(Token)).UsedMessages);
    }

    [Fact]
    public async Task Quota_is_enforced_on_append_and_delivery_and_reported()
    {
        await using var scope = StoreScope.Create();
        var small = await scope.AddUserAsync("small@example.test", quotaMessages: 1);
        var big = await scope.AddUserAsync("big@example.test");
        await using var mailbox = await scope.Store.OpenMailboxAsync(small, Token);
        await mailbox.AppendAsync("INBOX", Some.Message(), StoreFlags.None, [], DateTimeOffset.UtcNow, Token);
        var error = await Assert.ThrowsAsync<StoreException>(async () => await mailbox.AppendAsync("INBOX", Some.Message(), StoreFlags.None, [], DateTimeOffset.UtcNow, Token));
        Assert.Equal(StoreError.QuotaExceeded, error.Error);

        var results = await scope.Store.DeliverAsync([new(small), new(big)], Some.Message(), DateTimeOffset.UtcNow, Token);
        Assert.Equal([LocalDeliveryStatus.QuotaExceeded, LocalDeliveryStatus.Delivered], results.Select(r => r.Status));
        var usage = await mailbox.GetQuotaAsync(Token);
        Assert.Equal((1L, 1L), (usage.UsedMessages, usage.Limit.MaxMessages));
    }

    [Fact]
    public async Task Delivery_to_several_recipients_stores_the_content_once()
    {
        await using var scope = StoreScope.Create(o => o.InlineThreshold = 1024);
        var users = new[] { await scope.AddUserAsync("a@example.test"), await scope.AddUserAsync("b@example.test"), await scope.AddUserAsync("c@example.test") };
        var bytes = Some.Bytes(50_000, 3);
        var results = await scope.Store.DeliverAsync(users.Select(u => new LocalDelivery(u, "Missing/Folder")).ToList(), new MemoryStream(bytes), DateTimeOffset.UtcNow, Token);
        Assert.All(results, r => Assert.Equal(LocalDeliveryStatus.Delivered, r.Status));
        Assert.Single(Directory.EnumerateFiles(scope.Engine.MessagesDirectory, "*", SearchOption.AllDirectories));
        foreach (var user in users)
        {
            await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
            await using var inbox = (await mailbox.OpenFolderAsync("INBOX", Token))!;
            var message = Assert.Single(await inbox.ListAsync(cancellationToken: Token));
            Assert.Equal(bytes, await Some.ReadAllAsync(await inbox.OpenContentAsync(message.Uid, Token)));
        }

        // The file goes only when the last reference goes.
        for (var i = 0; i < users.Length; i++)
        {
            await using var mailbox = await scope.Store.OpenMailboxAsync(users[i], Token);
            await using var inbox = (await mailbox.OpenFolderAsync("INBOX", Token))!;
            var uid = (await inbox.ListAsync(cancellationToken: Token))[0].Uid;
            await inbox.UpdateFlagsAsync([uid], new FlagChange(FlagOperation.Add, StoreFlags.Deleted, []), cancellationToken: Token);
            await inbox.ExpungeAsync(cancellationToken: Token);
            var files = Directory.EnumerateFiles(scope.Engine.MessagesDirectory, "*", SearchOption.AllDirectories).Count();
            Assert.Equal(i == users.Length - 1 ? 0 : 1, files);
        }
    }

    [Fact]
    public async Task Large_message_streams_through_with_bounded_memory()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        const long size = 50L * 1024 * 1024;
        var result = await mailbox.AppendAsync("INBOX", new PatternStream(size), StoreFlags.None, [], DateTimeOffset.UtcNow, Token);
        await using var folder = (await mailbox.OpenFolderAsync("INBOX", Token))!;
        await using var content = await folder.OpenContentAsync(result.Uid, Token);
        Assert.Equal(size, content.Length);
        var buffer = new byte[81920];
        long offset = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, Token)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                Assert.Equal(PatternStream.ByteAt(offset + i), buffer[i]);
            }

            offset += read;
        }

        Assert.Equal(size, offset);
    }

    [Fact]
    public async Task Cached_values_follow_the_message()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        await using var inbox = (await mailbox.OpenFolderAsync("INBOX", Token))!;
        var a = await inbox.AppendAsync(Some.Message(), StoreFlags.None, [], DateTimeOffset.UtcNow, Token);
        Assert.Null(await inbox.GetCachedAsync(a.Uid, "bodystructure", Token));
        await inbox.SetCachedAsync(a.Uid, "bodystructure", "(\"text\" \"plain\")", Token);
        Assert.Equal("(\"text\" \"plain\")", await inbox.GetCachedAsync(a.Uid, "bodystructure", Token));
    }

    /// <summary>A long deterministic stream that is never held in memory.</summary>
    private sealed class PatternStream(long length) : Stream
    {
        private long _position;

        public static byte ByteAt(long offset) => (byte)((offset * 31) ^ (offset >> 11));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = ByteAt(_position + i);
            }

            _position += n;
            return n;
        }
    }
}
