using System.Buffers;
using System.Composition;
using System.Text;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;

[assembly: MailPlugin("hello", DisplayName = "Hello (sample)")]

namespace HelloPlugin;

/// <summary>A sample service: greets, answers <c>HELLO name</c>, and closes on <c>QUIT</c>.</summary>
[Export(typeof(IMailPlugin))]
public sealed class HelloPlugin : IMailPlugin
{
    /// <summary>Bound when the config lists no listeners for the service <c>hello</c>.</summary>
    public IReadOnlyList<ListenerDefaults> DefaultListeners => [new("hello", "127.0.0.1:2800")];

    /// <summary>Registers the connection handler with the options from <c>Services:hello:Options</c>.</summary>
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        var options = context.GetOptions<HelloOptions>();
        context.Listen(new HelloHandler(options));
        context.Logger.Information("Hello sample started, greeting {Greeting}", options.Greeting);
        return ValueTask.CompletedTask;
    }

    /// <summary>Nothing to stop: the host drains the connections.</summary>
    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>Options of the sample, bound from <c>Services:hello:Options</c>.</summary>
public sealed class HelloOptions
{
    /// <summary>The first line a client sees.</summary>
    public string Greeting { get; set; } = "hello from a third-party plugin";
}

/// <summary>The line protocol of the sample.</summary>
public sealed class HelloHandler(HelloOptions options) : MailConnectionHandler
{
    /// <summary>Serves one connection until QUIT or the peer closes.</summary>
    public override async Task OnConnectedAsync(MailConnectionContext connection)
    {
        var closed = connection.ConnectionClosed;
        await WriteAsync(connection, "+OK " + options.Greeting, closed);
        while (true)
        {
            var result = await connection.Transport.Input.ReadAsync(closed);
            var buffer = result.Buffer;
            while (LineReader.TryReadLine(ref buffer, 1000, out var line, out _) == LineStatus.Complete)
            {
                var text = Encoding.UTF8.GetString(line.ToArray());
                connection.Transcript.Client(text);
                if (text.Equals("QUIT", StringComparison.OrdinalIgnoreCase))
                {
                    await WriteAsync(connection, "+OK bye", closed);
                    return;
                }

                await WriteAsync(connection, text.StartsWith("HELLO ", StringComparison.OrdinalIgnoreCase) ? "+OK hello " + text[6..] : "-ERR say HELLO name", closed);
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
}
