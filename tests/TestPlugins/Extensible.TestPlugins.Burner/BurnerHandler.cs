using System.Buffers;
using System.Globalization;
using System.Text;
using Extensible.Sdk.Connections;

namespace Extensible.TestPlugins.Burner;

/// <summary>
/// Line commands: <c>BURN n</c> (spins its thread n ms, or until the host closes the connection), <c>AUTHFAIL</c>
/// (reports a failed login to the host), <c>PEER</c> (remote and local end points), <c>THREAD</c> (the managed thread id), <c>QUIT</c>; anything else is echoed.
/// </summary>
public sealed class BurnerHandler : MailConnectionHandler
{
    public override string? FormatRefusal(RefusalReason reason, string serverName) => $"-ERR {reason} {serverName}\r\n";

    public override async Task OnConnectedAsync(MailConnectionContext connection)
    {
        var closed = connection.ConnectionClosed;
        await WriteAsync(connection, "+OK burner ready", closed);
        while (true)
        {
            var result = await connection.Transport.Input.ReadAsync(closed);
            var buffer = result.Buffer;
            while (true)
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

                var words = Encoding.ASCII.GetString(line.ToArray()).Split(' ');
                switch (words[0].ToUpperInvariant())
                {
                    case "QUIT":
                        await WriteAsync(connection, "+OK bye", closed);
                        return;
                    case "BURN":
                        var until = Environment.TickCount64 + int.Parse(words[1], CultureInfo.InvariantCulture);
                        while (Environment.TickCount64 < until && !closed.IsCancellationRequested)
                        {
                            Thread.SpinWait(1000);
                        }

                        await WriteAsync(connection, "+OK burnt", closed);
                        break;
                    case "AUTHFAIL":
                        connection.ReportAuthenticationFailure();
                        await WriteAsync(connection, "-ERR authentication failed", closed);
                        break;
                    case "PEER":
                        await WriteAsync(connection, $"+OK {connection.RemoteEndPoint} {connection.LocalEndPoint}", closed);
                        break;
                    case "THREAD":
                        await WriteAsync(connection, $"+OK {Environment.CurrentManagedThreadId}", closed);
                        break;
                    default:
                        await WriteAsync(connection, "+OK " + string.Join(' ', words), closed);
                        break;
                }
            }

            connection.Transport.Input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    private static async Task WriteAsync(MailConnectionContext connection, string line, CancellationToken cancellationToken) =>
        await connection.Transport.Output.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), cancellationToken);
}
