using System.Diagnostics;
using Extensible.Sdk.Storage;
using Extensible.Storage;
using Extensible.Storage.Accounts;

// Durable appends/s (fsync on) for 4 KB and 100 KB messages with 1 and 16 writers, then reads/s.
// Usage: Extensible.Bench.Storage [seconds per case (default 5)] [directory (default: temp)]
var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
var root = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), "ext-bench-storage-" + Guid.NewGuid().ToString("N"));
Console.WriteLine($"directory: {root}; {seconds}s per case; {Environment.ProcessorCount} cores");
Console.WriteLine("| case | writers | ops | ops/s | batches | ops/batch |");
Console.WriteLine("|---|---|---|---|---|---|");
try
{
    foreach (var (label, size, inline) in new[] { ("4 KB", 4096, 64 * 1024), ("4 KB file-per-message", 4096, 0), ("100 KB", 100 * 1024, 64 * 1024) })
    {
        foreach (var writers in new[] { 1, 16 })
        {
            await RunAppendsAsync(label, size, inline, writers);
        }
    }

    await RunReadsAsync();
}
finally
{
    Directory.Delete(root, recursive: true);
}

async Task RunAppendsAsync(string label, int size, int inline, int writers)
{
    var directory = Path.Combine(root, Guid.NewGuid().ToString("N"));
    using var engine = new StorageEngine(directory, new StorageOptions { InlineThreshold = inline }, Serilog.Core.Logger.None);
    var accounts = new AccountRepository(engine);
    await accounts.AddDomainAsync("bench.test", CancellationToken.None);
    var user = await accounts.AddUserAsync("bench@bench.test", null, null, null, null, CancellationToken.None);
    await using var mailbox = await new MessageStore(engine).OpenMailboxAsync(user);
    var payload = new byte[size];
    new Random(1).NextBytes(payload);
    var batchesBefore = engine.Committer.Batches;
    var opsBefore = engine.Committer.Operations;
    long count = 0;
    var stopwatch = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
    {
        await using var folder = (await mailbox.OpenFolderAsync("INBOX"))!;
        for (var i = 0; i < 1_000_000 && stopwatch.Elapsed < deadline; i++)
        {
            await folder.AppendAsync(new MemoryStream(payload, writable: false), StoreFlags.None, [], DateTimeOffset.UtcNow);
            Interlocked.Increment(ref count);
        }
    })));
    var elapsed = stopwatch.Elapsed.TotalSeconds;
    var batches = engine.Committer.Batches - batchesBefore;
    var ops = engine.Committer.Operations - opsBefore;
    Console.WriteLine($"| append {label} | {writers} | {count} | {count / elapsed:F0} | {batches} | {(double)ops / Math.Max(1, batches):F1} |");
}

async Task RunReadsAsync()
{
    var directory = Path.Combine(root, "reads");
    using var engine = new StorageEngine(directory, new StorageOptions(), Serilog.Core.Logger.None);
    var accounts = new AccountRepository(engine);
    await accounts.AddDomainAsync("bench.test", CancellationToken.None);
    var user = await accounts.AddUserAsync("bench@bench.test", null, null, null, null, CancellationToken.None);
    await using var mailbox = await new MessageStore(engine).OpenMailboxAsync(user);
    var payload = new byte[4096];
    var uids = new List<uint>();
    for (var i = 0; i < 1000; i++)
    {
        uids.Add((await mailbox.AppendAsync("INBOX", new MemoryStream(payload), StoreFlags.None, [], DateTimeOffset.UtcNow)).Uid);
    }

    foreach (var readers in new[] { 1, 16 })
    {
        long count = 0;
        var stopwatch = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            await using var folder = (await mailbox.OpenFolderAsync("INBOX"))!;
            var buffer = new byte[8192];
            for (var i = 0; i < 10_000_000 && stopwatch.Elapsed < deadline; i++)
            {
                await using var content = await folder.OpenContentAsync(uids[(i * 7 + r) % uids.Count]);
                while (await content.ReadAsync(buffer) > 0)
                {
                }

                Interlocked.Increment(ref count);
            }
        })));
        Console.WriteLine($"| read 4 KB (open + read whole message) | {readers} | {count} | {count / stopwatch.Elapsed.TotalSeconds:F0} | - | - |");
    }
}
