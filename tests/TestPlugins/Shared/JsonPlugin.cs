using System.Buffers;
using System.Composition;
using System.Reflection;
using System.Text;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;
using Newtonsoft.Json;

namespace Extensible.TestPlugins.Json;

/// <summary>Greets with the Newtonsoft.Json version it loaded and answers each line with it serialized by that library.</summary>
[Export(typeof(IMailPlugin))]
public sealed class JsonPlugin : IMailPlugin
{
    /// <summary>The file version of the Newtonsoft.Json this plugin got (12.0.3.x or 13.0.3.x).</summary>
    public static string JsonVersion { get; } = typeof(JsonConvert).Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()!.Version;

    public IReadOnlyList<ListenerDefaults> DefaultListeners => [new("json", "127.0.0.1:2710")];

    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken)
    {
        context.Logger.Information("{Service} uses Newtonsoft.Json {JsonVersion}", context.PluginId, JsonVersion);
        context.Listen(new JsonHandler());
        return ValueTask.CompletedTask;
    }

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private sealed class JsonHandler : MailConnectionHandler
    {
        public override async Task OnConnectedAsync(MailConnectionContext connection)
        {
            var closed = connection.ConnectionClosed;
            await WriteAsync(connection, "+OK json " + JsonVersion, closed);
            while (true)
            {
                var result = await connection.Transport.Input.ReadAsync(closed);
                var buffer = result.Buffer;
                while (LineReader.TryReadLine(ref buffer, 1000, out var line, out _) == LineStatus.Complete)
                {
                    var text = Encoding.UTF8.GetString(line.ToArray());
                    if (text == "QUIT")
                    {
                        await WriteAsync(connection, "+OK bye", closed);
                        return;
                    }

                    await WriteAsync(connection, "+OK " + JsonConvert.SerializeObject(new { line = text }), closed);
                }

                connection.Transport.Input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }

        private static async Task WriteAsync(MailConnectionContext connection, string line, CancellationToken cancellationToken) =>
            await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"), cancellationToken);
    }
}
