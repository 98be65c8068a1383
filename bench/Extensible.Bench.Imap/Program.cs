using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Extensible.Bench.Imap;
using Extensible.Testing;

// Usage: Extensible.Bench.Imap [mixed|idle|both] [--clients 10] [--seconds 20] [--idle 10000] [--port P --password S --users a,b,...]
var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "both";
int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
string? Str(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var clients = Arg("--clients", 10);
var seconds = Arg("--seconds", 20);
var idleCount = Arg("--idle", 10000);
var externalPort = Arg("--port", 0);
using var stop = new CancellationTokenSource();
var ct = stop.Token;

TestServer? server = null;
IPEndPoint endPoint;
string password;
List<string> users;
if (externalPort == 0)
{
    server = await TestServer.StartAsync(new TestServerOptions
    {
        Plugins = ["Storage", "Imap"],
        LogLevel = "Warning",
        Configure = config =>
        {
            TestServer.ServiceOptions(config, "imap")["PlainConnAllowLogin"] = true;
            var service = TestServer.Service(config, "imap");
            service["Threads"] = new JsonObject { ["MaxConnections"] = idleCount + 100 };
        },
    }, ct);
    endPoint = server.EndPoint("imap", "imap");
    password = "secret";
    users = [];
    for (var i = 0; i < clients; i++)
    {
        var user = $"bench{i}@{TestServer.DefaultDomain}";
        await server.AddUserAsync(user, password, ct);
        users.Add(user);
    }
}
else
{
    endPoint = new IPEndPoint(IPAddress.Loopback, externalPort);
    password = Str("--password") ?? "secret";
    users = [.. (Str("--users") ?? "bench0").Split(',')];
}

try
{
    if (mode is "mixed" or "both")
    {
        await MixedAsync();
    }

    if (mode is "logins" or "both")
    {
        await LoginsAsync();
    }

    if (mode is "idle" or "both")
    {
        await IdleAsync();
    }
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}

async Task MixedAsync()
{
    // Seed each user's INBOX with 50 messages so FETCH and SEARCH have work.
    foreach (var user in users)
    {
        await using var seed = await BenchClient.ConnectAsync(endPoint, null, ct);
        var ignored = new List<double>();
        await seed.CommandAsync($"LOGIN {user} {password}", ignored, ct);
        for (var i = 0; i < 50; i++)
        {
            await seed.CommandAsync("APPEND INBOX", ignored, ct, Message(i));
        }
    }

    string[] names = ["LOGIN", "SELECT", "FETCH headers", "FETCH bodies", "FETCH structure", "STORE +", "STORE -", "APPEND", "SEARCH UNSEEN", "UID SEARCH SUBJECT", "NOOP", "STORE deleted", "EXPUNGE", "LOGOUT"];
    var latencies = new List<double>[clients];
    var perCommand = Enumerable.Range(0, clients).Select(_ => names.Select(_ => new List<double>()).ToArray()).ToArray();
    var errors = 0;
    var sessions = 0;
    var deadline = DateTime.UtcNow.AddSeconds(seconds);
    var clock = Stopwatch.StartNew();
    var tasks = Enumerable.Range(0, clients).Select(async c =>
    {
        var lat = latencies[c] = [];
        var mine = perCommand[c];
        var user = users[c % users.Count];
        for (var round = 0; round < 1_000_000 && DateTime.UtcNow < deadline; round++)
        {
            await using var client = await BenchClient.ConnectAsync(endPoint, null, ct);
            var index = 0;
            async Task<string> Run(string command, string? literal = null)
            {
                var status = await client.CommandAsync(command, lat, ct, literal);
                mine[index++].Add(lat[^1]);
                return status;
            }

            string[] statuses =
            [
                await Run($"LOGIN {user} {password}"),
                await Run("SELECT INBOX"),
                await Run("FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])"),
                await Run("FETCH 1:3 (BODY.PEEK[])"),
                await Run("FETCH 2 (BODYSTRUCTURE ENVELOPE)"),
                await Run("STORE 1:5 +FLAGS (\\Seen)"),
                await Run("STORE 1:5 -FLAGS (\\Seen)"),
                await Run("APPEND INBOX", Message(round)),
                await Run("SEARCH UNSEEN"),
                await Run("UID SEARCH SUBJECT \"message 7\""),
                await Run("NOOP"),
                await Run("STORE * +FLAGS (\\Deleted)"),
                await Run("EXPUNGE"),
                await Run("LOGOUT"),
            ];
            Interlocked.Add(ref errors, statuses.Count(s => s != "OK"));
            Interlocked.Increment(ref sessions);
        }
    }).ToArray();
    await Task.WhenAll(tasks);
    var elapsed = clock.Elapsed.TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double P(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
    if (Array.IndexOf(args, "--per-command") >= 0)
    {
        for (var i = 0; i < names.Length; i++)
        {
            var one = perCommand.SelectMany(l => l[i]).Order().ToArray();
            if (one.Length > 0)
            {
                Console.WriteLine(FormattableString.Invariant($"  {names[i],-20} n={one.Length} mean={one.Average():F2}ms p50={one[one.Length / 2]:F2}ms p90={one[(int)(one.Length * 0.9)]:F2}ms total={one.Sum() / 1000:F1}s"));
            }
        }
    }

    Console.WriteLine(FormattableString.Invariant($"sessions: {sessions} logins/s={sessions / elapsed:F0}"));
    Console.WriteLine(FormattableString.Invariant(
        $"mixed: clients={clients} seconds={elapsed:F1} commands={all.Length} commands/s={all.Length / elapsed:F0} errors={errors} p50={P(0.5):F2}ms p90={P(0.9):F2}ms p99={P(0.99):F2}ms max={all[^1]:F2}ms"));
}

async Task LoginsAsync()
{
    // Each client loops: connect, read the greeting, LOGIN, LOGOUT; a login is counted when LOGIN answered OK.
    var logins = 0;
    var errors = 0;
    var latencies = new List<double>[clients];
    var deadline = DateTime.UtcNow.AddSeconds(seconds);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        var lat = latencies[c] = [];
        var scratch = new List<double>();
        var user = users[c % users.Count];
        for (var round = 0; round < 10_000_000 && DateTime.UtcNow < deadline; round++)
        {
            await using var client = await BenchClient.ConnectAsync(endPoint, null, ct);
            if (await client.CommandAsync($"LOGIN {user} {password}", lat, ct) == "OK")
            {
                Interlocked.Increment(ref logins);
            }
            else
            {
                Interlocked.Increment(ref errors);
            }

            await client.CommandAsync("LOGOUT", scratch, ct);
        }
    }));
    var elapsed = clock.Elapsed.TotalSeconds;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double P(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(q * all.Length))];
    Console.WriteLine(FormattableString.Invariant(
        $"logins: clients={clients} seconds={elapsed:F1} logins={logins} logins/s={logins / elapsed:F0} errors={errors} login_p50={P(0.5):F2}ms login_p99={P(0.99):F2}ms"));
}

async Task IdleAsync()
{
    var before = server is null ? 0 : RssKb(server.ProcessId);
    var open = new List<BenchClient>(idleCount);
    var ignored = new List<double>();
    var clock = Stopwatch.StartNew();
    try
    {
        for (var i = 0; i < idleCount; i++)
        {
            // Spread source addresses over 127.0.0.x so 10,000 connections do not exhaust one address's ephemeral ports.
            var local = IPAddress.Parse($"127.0.{1 + (i / 250 % 200)}.{1 + (i % 250)}");
            var client = await BenchClient.ConnectAsync(endPoint, local, ct);
            open.Add(client);
            await client.CommandAsync($"LOGIN {users[i % users.Count]} {password}", ignored, ct);
            await client.CommandAsync("SELECT INBOX", ignored, ct);
            await client.IdleAsync(ct);
        }

        Console.WriteLine($"idle: holding {open.Count} connections");
        await Task.Delay(TimeSpan.FromSeconds(Arg("--hold", 5)), ct);
        GC.Collect();
        var after = server is null ? 0 : RssKb(server.ProcessId);
        Console.WriteLine(FormattableString.Invariant(
            $"idle: connections={open.Count} setup={clock.Elapsed.TotalSeconds:F1}s server_rss_before={before / 1024.0:F1}MB server_rss_idle={after / 1024.0:F1}MB per_connection={(after - before) * 1024.0 / Math.Max(1, open.Count):F0}B"));
    }
    catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
    {
        Console.WriteLine($"idle: failed after {open.Count} connections: {ex.Message}");
    }
    finally
    {
        foreach (var client in open)
        {
            await client.DisposeAsync();
        }
    }
}

static long RssKb(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
    }

    return 0;
}

static string Message(int i) =>
    $"From: Sender {i} <sender{i}@example.test>\r\nTo: bench@example.test\r\nSubject: message {i}\r\nDate: Mon, 7 Jul 2026 10:00:00 +0000\r\nMessage-ID: <m{i}.{Guid.NewGuid():N}@example.test>\r\n\r\n"
    + string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n", 40));
