using Extensible.Imap.Mime;

namespace Extensible.Imap.Tests.Unit;

/// <summary>The process-wide message cache: keyed so no entry serves another account or folder, and bounded in bytes.</summary>
public sealed class MessageCacheTests
{
    [Fact]
    public void EntriesNeverCrossAccountsFoldersOrUidValidity()
    {
        var cache = new MessageCache(1024 * 1024);
        cache.Put(new MessageKey("acct-1", "INBOX", 7, 1), null, "Subject: mine\r\n\r\n"u8.ToArray());
        Assert.NotNull(cache.Get(new MessageKey("acct-1", "INBOX", 7, 1)).Header);
        Assert.Null(cache.Get(new MessageKey("acct-2", "INBOX", 7, 1)).Header);
        Assert.Null(cache.Get(new MessageKey("acct-1", "Sent", 7, 1)).Header);
        Assert.Null(cache.Get(new MessageKey("acct-1", "INBOX", 8, 1)).Header);
        Assert.Null(cache.Get(new MessageKey("acct-1", "INBOX", 7, 2)).Header);
    }

    [Fact]
    public void StaysWithinItsCapacityAndEvictsLeastRecentlyUsed()
    {
        var cache = new MessageCache(64 * 1024);
        var header = new byte[1000];
        cache.Put(new MessageKey("a", "INBOX", 1, 0), null, header);
        for (uint uid = 1; uid < 1000; uid++)
        {
            cache.Put(new MessageKey("a", "INBOX", 1, uid), null, header);
            Assert.NotNull(cache.Get(new MessageKey("a", "INBOX", 1, 0)).Header); // kept warm, so never the one evicted
            Assert.True(cache.Bytes <= 64 * 1024);
        }

        Assert.Null(cache.Get(new MessageKey("a", "INBOX", 1, 1)).Header);
        Assert.NotNull(cache.Get(new MessageKey("a", "INBOX", 1, 999)).Header);
    }

    [Fact]
    public void ZeroCapacityCachesNothingAndSavesAreBounded()
    {
        var off = new MessageCache(0);
        off.Put(new MessageKey("a", "INBOX", 1, 1), null, new byte[10]);
        Assert.Null(off.Get(new MessageKey("a", "INBOX", 1, 1)).Header);

        var slots = 0;
        while (slots < MessageCache.MaxPendingSaves + 10 && off.TryBeginSave())
        {
            slots++;
        }

        Assert.Equal(MessageCache.MaxPendingSaves, slots);
        off.EndSave();
        Assert.True(off.TryBeginSave());
    }
}
