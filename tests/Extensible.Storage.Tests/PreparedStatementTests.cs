using Extensible.Sdk.Storage;

namespace Extensible.Storage.Tests;

/// <summary>The writer keeps its statements compiled between batches; they must neither pin old snapshots nor go stale.</summary>
public sealed class PreparedStatementTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Many_deliveries_keep_the_wal_bounded_because_reused_statements_release_their_snapshots()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        var body = new byte[4096];
        Array.Fill(body, (byte)'x');
        // 3,000 x 4 KB inline = 12 MB of pages; the default auto-checkpoint (1,000 pages) must keep restarting the WAL.
        await Parallel.ForEachAsync(Enumerable.Range(0, 3000), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Token }, async (i, ct) =>
        {
            var results = await scope.Store.DeliverAsync([new LocalDelivery(user)], new MemoryStream(body), DateTimeOffset.UtcNow, ct);
            Assert.Equal(LocalDeliveryStatus.Delivered, results[0].Status);
        });

        var wal = new FileInfo(Path.Combine(scope.Engine.RootDirectory, "store.db-wal"));
        Assert.True(wal.Length < 8 * 1024 * 1024, $"WAL grew to {wal.Length} bytes: a reused statement kept a read snapshot open");
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, Token);
        Assert.Equal(3000u, (await mailbox.GetStatusAsync("INBOX", Token))!.Messages);
    }

    [Fact]
    public async Task A_delivery_sees_account_changes_committed_after_earlier_deliveries()
    {
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        var first = await scope.Store.DeliverAsync([new LocalDelivery(user)], Some.Message("one"), DateTimeOffset.UtcNow, Token);
        Assert.Equal(LocalDeliveryStatus.Delivered, first[0].Status);

        await scope.Accounts.UpdateUserAsync(user.Address, quotaBytes: null, quotaMessages: 1, displayName: null, enabled: null, Token);
        var second = await scope.Store.DeliverAsync([new LocalDelivery(user)], Some.Message("two"), DateTimeOffset.UtcNow, Token);
        Assert.Equal(LocalDeliveryStatus.QuotaExceeded, second[0].Status);
    }
}
