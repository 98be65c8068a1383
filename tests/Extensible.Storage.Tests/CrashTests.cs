using System.Diagnostics;
using System.Security.Cryptography;
using Extensible.Testing;

namespace Extensible.Storage.Tests;

public sealed class CrashTests
{
    [Fact]
    public async Task Acknowledged_appends_survive_twenty_kill_9_and_the_check_leaves_no_orphans()
    {
        var token = TestContext.Current.CancellationToken;
        var root = Path.Combine(Path.GetTempPath(), "ext-crash-" + Guid.NewGuid().ToString("N"));
        var directory = Path.Combine(root, "storage");
        var writer = Path.Combine(RepoPaths.Root, "tests", "Extensible.Storage.CrashWriter", "bin", RepoPaths.Configuration, "net10.0", "Extensible.Storage.CrashWriter.dll");
        Assert.True(File.Exists(writer), "build tests/Extensible.Storage.CrashWriter first: " + writer);
        var acknowledged = new Dictionary<uint, string>();
        var random = new Random(20260101);
        try
        {
            for (var round = 0; round < 20; round++)
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var argument in new[] { writer, directory, round.ToString(System.Globalization.CultureInfo.InvariantCulture), "4" })
                {
                    start.ArgumentList.Add(argument);
                }

                using var process = Process.Start(start)!;
                _ = process.StandardError.ReadToEndAsync(token);
                var killAfter = random.Next(1, 80); // acknowledged appends to see before the kill
                var seen = 0;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                timeout.CancelAfter(TimeSpan.FromSeconds(60));
                while (seen < killAfter)
                {
                    var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                    Assert.NotNull(line);
                    if (line.StartsWith("ACK ", StringComparison.Ordinal))
                    {
                        var parts = line.Split(' ');
                        Assert.True(acknowledged.TryAdd(uint.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]), "UID acknowledged twice: " + line);
                        seen++;
                    }
                }

                await Task.Delay(random.Next(0, 30), token); // kill at a random instant, not just after an acknowledgement
                process.Kill(); // SIGKILL on Unix
                await process.WaitForExitAsync(token);
                while (await process.StandardOutput.ReadLineAsync(token) is { } rest)
                {
                    if (rest.StartsWith("ACK ", StringComparison.Ordinal))
                    {
                        var parts = rest.Split(' ');
                        acknowledged.TryAdd(uint.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), parts[2]);
                    }
                }
            }

            await using var engine = new DisposableEngine(directory);
            var report = engine.Engine.StartupReport;
            Assert.NotNull(report);
            var accounts = new Accounts.AccountRepository(engine.Engine);
            var user = accounts.FindByAddress("crash@example.test")!.User;
            await using var mailbox = await new MessageStore(engine.Engine).OpenMailboxAsync(user, token);
            await using var inbox = (await mailbox.OpenFolderAsync("INBOX", token))!;
            foreach (var (uid, hash) in acknowledged)
            {
                var bytes = await Some.ReadAllAsync(await inbox.OpenContentAsync(uid, token));
                Assert.Equal(hash, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            }

            // The check ran at every restart; a second run now finds nothing to repair, and files and rows agree.
            var again = engine.Engine.RunCheck();
            Assert.False(again.Repaired, again.ToString());
            var stored = await inbox.ListAsync(cancellationToken: token);
            Assert.True(stored.Count >= acknowledged.Count);
            Assert.Empty(Directory.EnumerateFiles(engine.Engine.MessagesDirectory, "*.tmp", SearchOption.AllDirectories));
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private sealed class DisposableEngine(string directory) : IAsyncDisposable
    {
        public StorageEngine Engine { get; } = new(directory, new StorageOptions(), Serilog.Core.Logger.None);

        public ValueTask DisposeAsync()
        {
            Engine.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
