using System.Buffers.Binary;
using System.Composition;
using System.Net.Sockets;
using System.Text;
using Extensible.Processing.Filters.Sockets;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Filters;

/// <summary>Scans messages with clamd over its INSTREAM command; an infected message is refused, dropped, held or marked as configured.</summary>
/// <remarks>An unreachable, failing or slow clamd makes the filter throw, so the chain's retry and pass/defer policy applies.</remarks>
[Export(typeof(IMessageFilter))]
[method: ImportingConstructor]
public sealed class ClamdFilter(PluginContext context) : IMessageFilter
{
    private const int ChunkSize = 64 * 1024;

    /// <inheritdoc />
    public string Name => "clamd";

    /// <inheritdoc />
    public int Order => 300;

    /// <inheritdoc />
    public async ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        var options = context.GetOptions<ProcessingFilterOptions>().Filters.Clamd;
        if (!options.Enabled)
        {
            return await next(message);
        }

        if (message.Content.Length > options.MaxScanSize)
        {
            context.Logger.Information("{QueueId} is larger than {Limit} bytes; not sent to clamd", message.QueueId, options.MaxScanSize);
            message.PrependHeader("X-Virus-Status", "Unscanned (too large)");
            return await next(message);
        }

        var reply = await ScanAsync(message, options);
        if (reply.EndsWith(" OK", StringComparison.Ordinal))
        {
            if (options.AddHeaders)
            {
                message.PrependHeader("X-Virus-Scanned", $"clamd on {context.ServerName}");
                message.PrependHeader("X-Virus-Status", "Clean");
            }

            return await next(message);
        }

        if (!reply.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            throw new IOException($"clamd answered '{reply}'");
        }

        var virus = reply[(reply.IndexOf(':', StringComparison.Ordinal) + 1)..^" FOUND".Length].Trim();
        context.Logger.Warning("{QueueId} is infected with {Virus}; action {Action}", message.QueueId, virus, options.ActionOnMatch);
        message.Items["virus"] = virus;
        switch (options.ActionOnMatch)
        {
            case MatchAction.Reject:
                return FilterVerdict.Reject(554, "5.7.1", $"Virus found: {virus}");
            case MatchAction.Discard:
                return FilterVerdict.Discard($"virus {virus}");
            case MatchAction.Quarantine:
                return FilterVerdict.Quarantine($"virus {virus}");
            default:
                message.PrependHeader("X-Virus-Status", $"Infected ({virus})");
                return await next(message);
        }
    }

    private static async Task<string> ScanAsync(MessageContext message, ClamdOptions options)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(message.Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds)));
        try
        {
            using var socket = await ScannerConnection.ConnectAsync(options.Address, timeout.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync("zINSTREAM\0"u8.ToArray(), timeout.Token);
            var buffer = new byte[4 + ChunkSize];
            message.Content.Position = 0;
            int read;
            while ((read = await message.Content.ReadAsync(buffer.AsMemory(4, ChunkSize), timeout.Token)) > 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)read);
                await stream.WriteAsync(buffer.AsMemory(0, 4 + read), timeout.Token);
            }

            await stream.WriteAsync(new byte[4], timeout.Token);
            var reply = await ScannerConnection.ReadReplyAsync(stream, 4096, 0, timeout.Token);
            return Encoding.ASCII.GetString(reply).TrimEnd('\0', '\n', '\r').Trim();
        }
        catch (OperationCanceledException) when (!message.Cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"clamd at {options.Address} did not answer within {options.TimeoutSeconds}s");
        }
    }
}
