using System.Composition;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Extensible.Processing.Filters.Sockets;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Filters;

/// <summary>Asks spamd (SPAMC/1.5, SYMBOLS) for a score; adds X-Spam-* headers and refuses, drops or holds spam as configured.</summary>
/// <remarks>An unreachable, failing or slow spamd makes the filter throw, so the chain's retry and pass/defer policy applies.</remarks>
[Export(typeof(IMessageFilter))]
[method: ImportingConstructor]
public sealed class SpamdFilter(PluginContext context) : IMessageFilter
{
    private const int ReplyLimit = 64 * 1024;

    /// <inheritdoc />
    public string Name => "spamd";

    /// <inheritdoc />
    public int Order => 310;

    /// <inheritdoc />
    public async ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        var options = context.GetOptions<ProcessingFilterOptions>().Filters.Spamd;
        if (!options.Enabled)
        {
            return await next(message);
        }

        if (message.Content.Length > options.MaxScanSize)
        {
            context.Logger.Information("{QueueId} is larger than {Limit} bytes; not sent to spamd", message.QueueId, options.MaxScanSize);
            return await next(message);
        }

        var report = await CheckAsync(message, options);
        message.Items["spam-score"] = report.Score;
        message.PrependHeader("X-Spam-Flag", report.IsSpam ? "YES" : "NO");
        message.PrependHeader("X-Spam-Score", report.Score.ToString("0.0", CultureInfo.InvariantCulture));
        message.PrependHeader("X-Spam-Status",
            $"{(report.IsSpam ? "Yes" : "No")}, score={report.Score.ToString("0.0", CultureInfo.InvariantCulture)} required={report.Threshold.ToString("0.0", CultureInfo.InvariantCulture)} tests={report.Symbols}");
        context.Logger.Debug("{QueueId} spam score {Score}/{Threshold}", message.QueueId, report.Score, report.Threshold);

        if (options.RejectScore > 0 && report.Score >= options.RejectScore)
        {
            return FilterVerdict.Reject(550, "5.7.1", "Message considered spam");
        }

        if (report.IsSpam)
        {
            switch (options.ActionOnMatch)
            {
                case MatchAction.Reject:
                    return FilterVerdict.Reject(550, "5.7.1", "Message considered spam");
                case MatchAction.Discard:
                    return FilterVerdict.Discard($"spam score {report.Score}");
                case MatchAction.Quarantine:
                    return FilterVerdict.Quarantine($"spam score {report.Score}");
            }
        }

        return await next(message);
    }

    private static async Task<SpamReport> CheckAsync(MessageContext message, SpamdOptions options)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(message.Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.TimeoutSeconds)));
        try
        {
            using var socket = await ScannerConnection.ConnectAsync(options.Address, timeout.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var length = message.Content.Length;
            var user = new string(options.User.Where(c => c > ' ' && c < 127).ToArray());
            var header = $"SYMBOLS SPAMC/1.5\r\nContent-length: {length}\r\nUser: {(user.Length > 0 ? user : "extensible")}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(header), timeout.Token);
            message.Content.Position = 0;
            await message.Content.CopyToAsync(stream, timeout.Token);
            await stream.FlushAsync(timeout.Token);
            socket.Shutdown(SocketShutdown.Send);
            var reply = Encoding.UTF8.GetString(await ScannerConnection.ReadReplyAsync(stream, ReplyLimit, null, timeout.Token));
            return SpamReport.Parse(reply);
        }
        catch (OperationCanceledException) when (!message.Cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"spamd at {options.Address} did not answer within {options.TimeoutSeconds}s");
        }
    }
}
