using System.Collections.Concurrent;
using Extensible.Sdk.Storage;

namespace Extensible.Storage.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Sixteen_writers_and_readers_get_unique_ascending_uids_and_ordered_events()
    {
        var token = TestContext.Current.CancellationToken;
        await using var scope = StoreScope.Create();
        var user = await scope.AddUserAsync();
        var events = new ConcurrentQueue<MailboxChange>();
        using var watch = scope.Store.WatchChanges(user, events.Enqueue);
        await using var mailbox = await scope.Store.OpenMailboxAsync(user, token);
        const int writers = 16, perWriter = 25;
        var acknowledged = new ConcurrentBag<(uint Uid, int Writer, int Index)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        stop.CancelAfter(TimeSpan.FromMinutes(2));

        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await using var folder = (await mailbox.OpenFolderAsync("INBOX", stop.Token))!;
            for (var i = 0; i < perWriter; i++)
            {
                var result = await folder.AppendAsync(Some.Message($"{w}-{i}", 200 + (i * 97 % 3000)), StoreFlags.None, [], DateTimeOffset.UtcNow, stop.Token);
                acknowledged.Add((result.Uid, w, i));
                if (i % 5 == 0)
                {
                    await folder.UpdateFlagsAsync([result.Uid], new FlagChange(FlagOperation.Add, StoreFlags.Seen, []), cancellationToken: stop.Token);
                }
            }
        }, stop.Token)).ToArray();
        var reading = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            await using var folder = (await mailbox.OpenFolderAsync("INBOX", stop.Token))!;
            for (var i = 0; i < 20; i++)
            {
                var list = await folder.ListAsync(cancellationToken: stop.Token);
                for (var j = 1; j < list.Count; j++)
                {
                    Assert.True(list[j].Uid > list[j - 1].Uid);
                }

                if (list.Count > 0)
                {
                    var bytes = await Some.ReadAllAsync(await folder.OpenContentAsync(list[^1].Uid, stop.Token));
                    Assert.Equal(list[^1].Size, bytes.Length);
                }
            }
        }, stop.Token)).ToArray();
        await Task.WhenAll(writing.Concat(reading));

        var uids = acknowledged.Select(a => a.Uid).ToList();
        Assert.Equal(writers * perWriter, uids.Distinct().Count());
        foreach (var writer in acknowledged.GroupBy(a => a.Writer))
        {
            var ordered = writer.OrderBy(a => a.Index).Select(a => a.Uid).ToList();
            Assert.Equal(ordered.Order(), ordered); // each writer's later append got a later UID
        }

        await using var inbox = (await mailbox.OpenFolderAsync("INBOX", token))!;
        var stored = await inbox.ListAsync(cancellationToken: token);
        Assert.Equal(uids.Order(), stored.Select(m => m.Uid));
        Assert.Equal(writers * perWriter / 5, stored.Count(m => m.Flags.HasFlag(StoreFlags.Seen)));

        var appended = events.Where(e => e.Kind == MailboxChangeKind.Appended).SelectMany(e => e.Uids).ToList();
        Assert.Equal(uids.Order(), appended); // delivered in commit order: strictly ascending
        var modSeqs = events.Where(e => e.FolderPath == "INBOX").Select(e => e.ModSeq).ToList();
        Assert.Equal(modSeqs.Order(), modSeqs);
        Assert.Equal(modSeqs.Count, modSeqs.Distinct().Count());
        Assert.True(scope.Engine.Committer.Batches < scope.Engine.Committer.Operations, "concurrent writes should share commits");
    }
}
