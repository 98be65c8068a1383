using System.Buffers;
using System.Reflection;
using System.Text;
using Extensible.Sdk.Connections;

namespace Extensible.TestPlugins.Echo;

/// <summary>
/// Echoes each line back. Commands: <c>STARTTLS</c>, <c>THREAD</c> (the managed thread id serving it),
/// <c>SLOW</c> (blocks its thread, then reports concurrency), <c>BURN n</c> (spins n ms), <c>VERSION</c> (the plugin's
/// own version), <c>AUTH mechanism payload</c> (transcribed redacted, never echoed), <c>QUIT</c>.
/// </summary>
public sealed class EchoHandler(EchoOptions options) : MailConnectionHandler
{
    private static readonly string Version = typeof(EchoHandler).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    private static int _running;
    private static int _maxRunning;

    public override string? FormatRefusal(RefusalReason reason, string serverName) => $"-ERR {reason} {serverName}\r\n";

    public override async Task OnConnectedAsync(MailConnectionContext connection)
    {
        var closed = connection.ConnectionClosed;
        await WriteAsync(connection, $"+OK {options.Greeting} {(connection.IsSecure ? "tls" : "plain")}", closed);
        while (true)
        {
            var result = await connection.Transport.Input.ReadAsync(closed);
            var buffer = result.Buffer;
            var quit = false;
            var upgrade = false;
            while (!quit && !upgrade)
            {
                var status = LineReader.TryReadLine(ref buffer, 1000, out var line, out _);
                if (status == LineStatus.Incomplete)
                {
                    break;
                }

                if (status == LineStatus.TooLong)
                {
                    await WriteAsync(connection, "-ERR line too long", closed);
                    continue;
                }

                var text = Encoding.UTF8.GetString(line.ToArray());
                var verb = text.Split(' ')[0].ToUpperInvariant();
                connection.Transcript.Client(text, redact: verb == "AUTH");
                switch (verb)
                {
                    case "AUTH":
                        await WriteAsync(connection, "+OK authenticated", closed);
                        break;
                    case "VERSION":
                        await WriteAsync(connection, "+OK " + Version, closed);
                        break;
                    case "QUIT":
                        await WriteAsync(connection, "+OK bye", closed);
                        quit = true;
                        break;
                    case "STARTTLS":
                        await WriteAsync(connection, "+OK begin TLS", closed);
                        upgrade = true;
                        break;
                    case "THREAD":
                        await WriteAsync(connection, $"+OK {Environment.CurrentManagedThreadId}", closed);
                        break;
                    case "SLOW":
                        var now = Interlocked.Increment(ref _running);
                        InterlockedMax(ref _maxRunning, now);
                        Thread.Sleep(options.SlowMilliseconds);
                        Interlocked.Decrement(ref _running);
                        await WriteAsync(connection, $"+OK slow max={Volatile.Read(ref _maxRunning)}", closed);
                        break;
                    case "BURN":
                        var until = Environment.TickCount64 + int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                        while (Environment.TickCount64 < until)
                        {
                            Thread.SpinWait(1000);
                        }

                        await WriteAsync(connection, "+OK burnt", closed);
                        break;
                    default:
                        await WriteAsync(connection, "+OK " + text, closed);
                        break;
                }
            }

            if (quit)
            {
                return;
            }

            if (upgrade)
            {
                connection.Transport.Input.AdvanceTo(buffer.End);
                await connection.UpgradeToTlsAsync(closed);
                await WriteAsync(connection, "+OK tls", closed);
                continue;
            }

            connection.Transport.Input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private static async Task WriteAsync(MailConnectionContext connection, string line, CancellationToken cancellationToken)
    {
        connection.Transcript.Server(line);
        await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
