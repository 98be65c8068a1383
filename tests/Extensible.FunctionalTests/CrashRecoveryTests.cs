using System.Collections.Concurrent;
using System.Diagnostics;
using Extensible.Testing;

namespace Extensible.FunctionalTests;

public sealed class CrashRecoveryTests
{
    private const int MessageCount = 1000;
    private const int Senders = 20;

    [Fact]
    public async Task Kill_9_during_a_load_of_1000_messages_loses_none_that_were_acknowledged()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            Plugins = ["Storage", "Processing", "SmtpReceiving", "Pop3"],
            Configure = config => MailTestKit.FastQueue(config),
            LogLevel = "Information",
        }, ct);
        MailTestKit.RememberPorts(server);
        await server.AddUserAsync("load@example.test", MailTestKit.Password, ct);

        var acknowledged = new ConcurrentBag<string>();
        var next = -1;
        var killAfter = MessageCount / 3;
        var clock = Stopwatch.StartNew();
        var killed = false;
        var senders = Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < MessageCount && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                var message = MailTestKit.NewMessage("sender@client.test", "load@example.test", "load " + index);
                try
                {
                    await MailTestKit.SendAsync(server, message, ct);
                    acknowledged.Add(message.MessageId!);
                }
                catch (Exception) when (Volatile.Read(ref killed))
                {
                    // After the kill, refused connections and cut sessions are expected: those were never acknowledged.
                }
            }
        }, ct)).ToList();

        var deadline = Stopwatch.StartNew();
        while (acknowledged.Count < killAfter && deadline.Elapsed < TimeSpan.FromMinutes(2) && !senders.All(s => s.IsCompleted))
        {
            await Task.Delay(5, ct);
        }
        Volatile.Write(ref killed, true);
        await server.KillAsync();
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromMinutes(3), ct);
        var acked = acknowledged.ToHashSet(StringComparer.Ordinal);
        Assert.True(acked.Count >= killAfter, $"only {acked.Count} messages were acknowledged before the kill");
        Assert.True(acked.Count < MessageCount, "the kill came after the load ended; it proves nothing");

        await server.RestartAsync(ct);
        MailTestKit.RememberPorts(server);
        // After restart every acknowledged message is in the INBOX or still queued; wait for the queue to drain.
        var drain = Stopwatch.StartNew();
        while ((await MailTestKit.QueueIdsAsync(server, ct)).Count > 0)
        {
            Assert.True(drain.Elapsed < TimeSpan.FromMinutes(2), "the queue did not drain after restart\n" + server.LogTail());
            await Task.Delay(250, ct);
        }
        var stored = (await MailTestKit.InboxMessageIdsAsync(server, "load@example.test", ct)).ToHashSet(StringComparer.Ordinal);
        var lost = acked.Where(id => !stored.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acked.Count} acknowledged messages were lost, e.g. {string.Join(", ", lost.Take(5))}");
        TestContext.Current.SendDiagnosticMessage($"acknowledged {acked.Count} before kill -9, stored {stored.Count} after restart");
    }
}
