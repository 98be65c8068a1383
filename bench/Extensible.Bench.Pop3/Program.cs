using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Extensible.Bench.Pop3;
using Extensible.Testing;

// Usage: Extensible.Bench.Pop3 [--clients 10] [--messages 5] [--size 4096] [--seconds 20] [--defer-seen]
//        [--port P --password S --users a,b,...]   (an already running server, for example Dovecot, filled by the caller)
int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
string? Str(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var clients = Arg("--clients", 10);
var messages = Arg("--messages", 5);
var size = Arg("--size", 4096);
var seconds = Arg("--seconds", 20);
var externalPort = Arg("--port", 0);
var label = Str("--label") ?? (externalPort == 0 ? "extensible" : $"port {externalPort}");

TestServer? server = null;
IPEndPoint endPoint;
string password;
List<string> users;
if (externalPort == 0)
{
    server = await TestServer.StartAsync(new TestServerOptions
    {
        Plugins = ["Storage", "Pop3"],
        ExtraPluginDirectories = [Path.Combine(RepoPaths.Root, "tests", "Extensible.Pop3.Tests", "AppendPlugin", "bin", "plugin")],
        LogLevel = "Warning",
        Configure = config =>
        {
            var options = TestServer.ServiceOptions(config, "pop3");
            options["PlainConnAllowLogin"] = true;
            options["DeferSeenUntilQuit"] = args.Contains("--defer-seen");
            TestServer.Service(config, "pop3")["Threads"] = new JsonObject { ["MinThreads"] = 2, ["MaxThreads"] = 8, ["MaxConnections"] = 1000 };
        },
    });
    endPoint = server.EndPoint("pop3", "pop3");
    password = "secret";
    users = [];
    var files = new List<string>();
    for (var m = 0; m < messages; m++)
    {
        var file = Path.Combine(server.Root, $"bench-{m}.eml");
        await File.WriteAllBytesAsync(file, BuildMessage(m, size));
        files.Add(file);
    }

    for (var i = 0; i < clients; i++)
    {
        var user = $"bench{i}@{TestServer.DefaultDomain}";
        await server.AddUserAsync(user, password);
        (await server.AdminAsync(["test", "append", user, .. files])).EnsureSuccess();
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
    // Warm up (JIT, caches, process pools), then measure.
    await RunAsync(TimeSpan.FromSeconds(3), print: false);
    await RunAsync(TimeSpan.FromSeconds(seconds), print: true);
}
finally
{
    if (server is not null)
    {
        await server.DisposeAsync();
    }
}

async Task RunAsync(TimeSpan duration, bool print)
{
    using var stop = new CancellationTokenSource(duration);
    var load = Enumerable.Range(0, clients).Select(i => new Pop3LoadClient(endPoint, users[i % users.Count], password)).ToList();
    var cpuBefore = server is null ? 0 : ProcessCpu(server.ProcessId);
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(load.Select(c => Task.Run(() => c.RunAsync(stop.Token))));
    var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
    if (!print)
    {
        return;
    }

    var sessions = load.Sum(c => c.SessionMilliseconds.Count);
    var commands = load.SelectMany(c => c.CommandMilliseconds).Order().ToArray();
    var sessionTimes = load.SelectMany(c => c.SessionMilliseconds).Order().ToArray();
    var text = new StringBuilder();
    text.AppendLine(CultureInfo.InvariantCulture, $"pop3 bench [{label}]: {clients} clients, {messages} messages of {size} bytes each, {elapsed:F1} s");
    text.AppendLine(CultureInfo.InvariantCulture, $"  sessions/s {sessions / elapsed:F1}   commands/s {commands.Length / elapsed:F1}   MB/s {load.Sum(c => c.Bytes) / elapsed / 1e6:F1}   failed sessions {load.Sum(c => c.Failures)}");
    text.AppendLine(CultureInfo.InvariantCulture, $"  command latency ms  p50 {P(commands, 50):F2}  p90 {P(commands, 90):F2}  p99 {P(commands, 99):F2}  max {P(commands, 100):F2}");
    text.AppendLine(CultureInfo.InvariantCulture, $"  session latency ms  p50 {P(sessionTimes, 50):F2}  p90 {P(sessionTimes, 90):F2}  p99 {P(sessionTimes, 99):F2}  max {P(sessionTimes, 100):F2}");
    if (server is not null)
    {
        var cpu = ProcessCpu(server.ProcessId) - cpuBefore;
        text.AppendLine(CultureInfo.InvariantCulture, $"  server CPU {cpu:F1} s ({cpu / elapsed * 100:F0}% of one core), {cpu * 1000 / Math.Max(1, sessions):F2} ms per session");
    }

    Console.Write(text);
}

static double P(double[] sorted, int percentile) =>
    sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

static double ProcessCpu(int pid)
{
    // utime + stime from /proc/<pid>/stat, in clock ticks of 1/100 s.
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static byte[] BuildMessage(int index, int size)
{
    var text = new StringBuilder();
    text.Append(CultureInfo.InvariantCulture, $"From: bench@example.test\r\nTo: user@example.test\r\nSubject: bench message {index}\r\nMessage-ID: <bench{index}@example.test>\r\n\r\n");
    while (text.Length < size)
    {
        text.Append("The quick brown fox jumps over the lazy dog; line of a POP3 bench message.\r\n");
    }

    return Encoding.ASCII.GetBytes(text.ToString());
}
