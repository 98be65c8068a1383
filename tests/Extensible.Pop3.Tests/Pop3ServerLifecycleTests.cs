using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Extensible.Pop3.Tests;

/// <summary>Tests that need a server of their own: exclusive lock and restarts, and the 20 MB message with memory sampled.</summary>
public class Pop3ServerLifecycleTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExclusiveLockAndUidlSurviveARestart()
    {
        await using var server = await Pop3ServerFixture.StartServerAsync(o => o["ExclusiveLock"] = true, Token);
        const string user = "lock@example.test";
        await server.AddUserAsync(user, "secret", Token);
        await Pop3ServerFixture.AppendAsync(server, user, [Encoding.ASCII.GetBytes("Subject: a\r\n\r\na\r\n"), Encoding.ASCII.GetBytes("Subject: b\r\n\r\nb\r\n")], Token);
        var port = server.Port("pop3", "pop3");
        await using var first = await RawPop3Client.ConnectAsync(port, Token);
        await first.ReadLineAsync(Token);
        await first.CommandAsync("USER " + user, Token);
        Assert.StartsWith("+OK", await first.CommandAsync("PASS secret", Token));
        Assert.StartsWith("+OK", await first.CommandAsync("UIDL", Token));
        var uidl = await first.ReadBodyAsync(Token);
        await using (var second = await RawPop3Client.ConnectAsync(port, Token))
        {
            await second.ReadLineAsync(Token);
            await second.CommandAsync("USER " + user, Token);
            Assert.StartsWith("-ERR [IN-USE]", await second.CommandAsync("PASS secret", Token));
        }

        Assert.StartsWith("+OK", await first.CommandAsync("QUIT", Token));
        await server.RestartAsync(Token);
        await using var after = await RawPop3Client.ConnectAsync(server.Port("pop3", "pop3"), Token);
        await after.ReadLineAsync(Token);
        await after.CommandAsync("USER " + user, Token);
        Assert.StartsWith("+OK", await after.CommandAsync("PASS secret", Token));
        Assert.StartsWith("+OK", await after.CommandAsync("UIDL", Token));
        Assert.Equal(uidl, await after.ReadBodyAsync(Token));
    }

    [Fact]
    public async Task TwentyMegabyteMessageStreamsWithBoundedServerMemory()
    {
        await using var server = await Pop3ServerFixture.StartServerAsync(cancellationToken: Token);
        const string user = "big@example.test";
        await server.AddUserAsync(user, "secret", Token);
        var message = BuildMessage(20 * 1024 * 1024);
        await Pop3ServerFixture.AppendAsync(server, user, [message], Token);

        await using var client = await RawPop3Client.ConnectAsync(server.Port("pop3", "pop3"), Token);
        await client.ReadLineAsync(Token);
        await client.CommandAsync("USER " + user, Token);
        Assert.StartsWith("+OK", await client.CommandAsync("PASS secret", Token));
        Assert.StartsWith("+OK", await client.CommandAsync("NOOP", Token));
        var baseline = ResidentBytes(server.ProcessId);
        Assert.Equal($"+OK {message.Length} octets", await client.CommandAsync("RETR 1", Token));

        // Read slowly enough that the server must hold back, and sample its RSS every 512 KB.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        var received = 0L;
        var peak = baseline;
        var expected = message.Length + 3;
        for (var reads = 0; received < expected && reads < 10_000_000; reads++)
        {
            var read = await client.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, expected - received)), Token);
            Assert.True(read > 0, "server closed during RETR");
            hash.AppendData(buffer, 0, read);
            if (received / (512 * 1024) != (received + read) / (512 * 1024))
            {
                peak = Math.Max(peak, ResidentBytes(server.ProcessId));
            }

            received += read;
        }

        Assert.Equal(expected, received);
        Assert.Equal(SHA256.HashData([.. message, .. ".\r\n"u8.ToArray()]), hash.GetHashAndReset());
        Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        var growth = peak - baseline;
        Assert.True(growth < message.Length / 2, $"server RSS grew by {growth / 1024} KB while sending a {message.Length / 1024} KB message");
        TestContext.Current.SendDiagnosticMessage($"RSS baseline {baseline / 1024} KB, peak {peak / 1024} KB, growth {growth / 1024} KB");
    }

    private static byte[] BuildMessage(int size)
    {
        var builder = new MemoryStream(size + 1024);
        builder.Write("Subject: big\r\nContent-Type: text/plain\r\n\r\n"u8);
        var line = Encoding.ASCII.GetBytes(new string('x', 76) + "\r\n");
        var number = 0;
        while (builder.Length < size)
        {
            builder.Write(Encoding.ASCII.GetBytes((number++ % 100000).ToString("D6", CultureInfo.InvariantCulture)));
            builder.Write(line);
        }

        return builder.ToArray();
    }

    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS for " + pid);
    }
}
