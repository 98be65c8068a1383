using System.Security.Cryptography;
using Extensible.Sdk.Storage;
using Extensible.Storage;
using Extensible.Storage.Accounts;

// Appends messages with several concurrent writers until killed, printing "ACK <uid> <sha256>" after each durable append.
// Usage: CrashWriter <store directory> <seed> [writers]
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: CrashWriter DIRECTORY SEED [WRITERS]");
    return 2;
}

var seed = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var writers = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 4;
using var engine = new StorageEngine(args[0], new StorageOptions { InlineThreshold = 16 * 1024 }, Serilog.Core.Logger.None);
engine.EnsureOpen();
var report = engine.StartupReport;
Console.WriteLine($"CHECK {report?.TemporaryFilesRemoved ?? -1} {report?.OrphanFilesRemoved ?? -1} {report?.DanglingMessagesRemoved ?? -1}");
var accounts = new AccountRepository(engine);
var user = accounts.FindByAddress("crash@example.test")?.User;
if (user is null)
{
    try
    {
        await accounts.AddDomainAsync("example.test", CancellationToken.None);
    }
    catch (AccountException)
    {
    }

    user = await accounts.AddUserAsync("crash@example.test", null, null, null, null, CancellationToken.None);
}

var store = new MessageStore(engine);
await using var mailbox = await store.OpenMailboxAsync(user);
var output = new object();
var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    var random = new Random(seed * 31 + w);
    for (var i = 0; i < 100_000; i++)
    {
        // Mix small (inline) and large (file) messages so both durability paths are killed mid-way.
        var size = random.Next(4) == 0 ? random.Next(20_000, 300_000) : random.Next(200, 8_000);
        var bytes = new byte[size];
        random.NextBytes(bytes);
        var result = await mailbox.AppendAsync("INBOX", new MemoryStream(bytes), StoreFlags.None, [], DateTimeOffset.UtcNow);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        lock (output)
        {
            Console.WriteLine($"ACK {result.Uid} {hash}");
        }
    }
})).ToArray();
await Task.WhenAll(tasks);
return 0;
