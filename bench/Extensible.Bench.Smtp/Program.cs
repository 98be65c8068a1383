using System.Diagnostics;
using System.Globalization;
using System.Text;
using Extensible.Bench.Smtp;
using MailKit.Net.Pop3;
using MailKit.Security;

// An smtp-source-like load generator: N sessions, M messages of S bytes, R per connection, pipelining on or off.
if (args is ["--sink", var sinkPort])
{
    // Protocol-only sink: the plugin's session handler on a socket, messages dropped after reading.
    await using var sink = Extensible.Smtp.Tests.Support.LoopbackSmtpServer.StartSink(new DiscardingPipeline(), int.Parse(sinkPort, CultureInfo.InvariantCulture));
    Console.WriteLine($"sink listening on 127.0.0.1:{sink.Port}");
    await Task.Delay(Timeout.Infinite, new CancellationTokenSource(TimeSpan.FromMinutes(30)).Token).ContinueWith(_ => { }, TaskScheduler.Default);
    return 0;
}

var options = BenchOptions.Parse(args);
var body = BuildBody(options.Size);
var transactions = options.To
    .Select(to => Encoding.ASCII.GetBytes($"MAIL FROM:<{options.From}> SIZE={body.Length}\r\nRCPT TO:<{to}>\r\nDATA\r\n"))
    .ToArray();
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(15));

var baseline = await CountDeliveredAsync(options, cancel.Token);
if (options.Warmup > 0)
{
    await RunAsync(options.Warmup, Math.Min(options.Sessions, options.Warmup));
    await WaitForDeliveryAsync(baseline + options.Warmup, TimeSpan.FromSeconds(options.DeliveryTimeoutSeconds), Stopwatch.StartNew());
    baseline += options.Warmup;
}

var clock = Stopwatch.StartNew();
var latencies = await RunAsync(options.Messages, options.Sessions);
var accepted = clock.Elapsed;
var deliveredAt = await WaitForDeliveryAsync(baseline + options.Messages, TimeSpan.FromSeconds(options.DeliveryTimeoutSeconds), clock);
latencies.Sort();

string P(double q) => (latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))] / 1000).ToString("F2", CultureInfo.InvariantCulture);
var acceptedRate = options.Messages / accepted.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{options.Label}: sessions={options.Sessions} messages={options.Messages} size={body.Length} per-connection={options.PerConnection} pipelining={(options.Pipelining ? "on" : "off")}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"  accepted: {acceptedRate:F0} msg/s ({accepted.TotalSeconds:F2} s); latency ms p50 {P(0.50)} p90 {P(0.90)} p99 {P(0.99)} max {P(1.0)}"));
if (deliveredAt is { } delivered)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  delivered into mailboxes: {options.Messages / delivered.TotalSeconds:F0} msg/s (all {options.Messages} after {delivered.TotalSeconds:F2} s)"));
}
else if (options.Maildirs.Count > 0 || options.Pop3Port > 0)
{
    Console.WriteLine("  delivered: NOT all messages arrived within the delivery timeout");
    return 1;
}

return 0;

async Task<List<double>> RunAsync(int total, int sessions)
{
    var counter = -1;
    var tasks = Enumerable.Range(0, sessions)
        .Select(_ => new SmtpLoadClient(options, transactions, body).RunAsync(() => Interlocked.Increment(ref counter), total, cancel.Token))
        .ToArray();
    var results = await Task.WhenAll(tasks);
    return results.SelectMany(r => r).ToList();
}

async Task<TimeSpan?> WaitForDeliveryAsync(long expected, TimeSpan timeout, Stopwatch since)
{
    if (options.Maildirs.Count == 0 && options.Pop3Port == 0)
    {
        return null;
    }

    var deadline = Stopwatch.StartNew();
    for (var attempt = 0; deadline.Elapsed < timeout && attempt < 100_000; attempt++)
    {
        if (await CountDeliveredAsync(options, cancel.Token) >= expected)
        {
            return since.Elapsed;
        }

        await Task.Delay(50, cancel.Token);
    }

    return null;
}

static async Task<long> CountDeliveredAsync(BenchOptions options, CancellationToken cancellationToken)
{
    long count = 0;
    foreach (var maildir in options.Maildirs)
    {
        var folder = Path.Combine(maildir, "new");
        if (Directory.Exists(folder))
        {
            count += Directory.EnumerateFiles(folder).LongCount();
        }
    }

    if (options.Pop3Port > 0)
    {
        foreach (var user in options.To)
        {
            using var pop3 = new Pop3Client { ServerCertificateValidationCallback = (_, certificate, _, _) => certificate is not null };
            await pop3.ConnectAsync(options.Host, options.Pop3Port, SecureSocketOptions.StartTls, cancellationToken);
            await pop3.AuthenticateAsync(user, options.Pop3Password, cancellationToken);
            count += pop3.Count;
            await pop3.DisconnectAsync(true, cancellationToken);
        }
    }

    return count;
}

static byte[] BuildBody(int size)
{
    var text = new StringBuilder(size + 128);
    text.Append("From: bench@remote.test\r\nTo: bench@example.test\r\nSubject: load test\r\nMessage-ID: <bench@remote.test>\r\n\r\n");
    var line = "The quick brown fox jumps over the lazy dog; 0123456789 abcdefghijklmnopqrstuvwxyz.\r\n";
    while (text.Length + line.Length < size)
    {
        text.Append(line);
    }

    text.Append(new string('x', Math.Max(0, size - text.Length - 2))).Append("\r\n");
    text.Append(".\r\n");
    return Encoding.ASCII.GetBytes(text.ToString());
}
