using System.Text;
using Extensible.Hosting.Dns;
using Extensible.Sdk.Messages;
using Extensible.Testing.Dns;

namespace Extensible.SmtpSending.Tests.Support;

/// <summary>The SMTP Sending delivery part in process, resolving through the host's DNR against a loopback DNS server.</summary>
internal sealed class DeliveryHarness : IAsyncDisposable
{
    private readonly TestPluginContext _context;

    public DeliveryHarness(SmtpSendingOptions options, Action<LoopbackDnsServer>? zones = null)
    {
        Options = options;
        Dns = LoopbackDnsServer.Start();
        zones?.Invoke(Dns);
        var dnr = new DnrResolver(
            new DnrOptions { NameServers = [new NameServerOptions { Address = $"127.0.0.1:{Dns.Port}" }], TimeoutSeconds = 1, Retries = 0 },
            Serilog.Core.Logger.None);
        _context = new TestPluginContext(options, dnr);
        Delivery = new SmtpRemoteDelivery(_context);
    }

    public SmtpSendingOptions Options { get; }

    public LoopbackDnsServer Dns { get; }

    public SmtpRemoteDelivery Delivery { get; }

    /// <summary>Where the plugin spools content it cannot seek.</summary>
    public string SpoolDirectory => Path.Combine(_context.PluginDataDirectory, "spool");

    /// <summary>A request for recipients of one domain with the given content.</summary>
    public static RemoteDeliveryRequest Request(string domain, string mailFrom, IReadOnlyList<EnvelopeRecipient> recipients, byte[] content, MessageEnvelope? envelope = null) => new()
    {
        QueueId = "Q" + Guid.NewGuid().ToString("N")[..8],
        Domain = domain,
        Envelope = envelope ?? new MessageEnvelope { MailFrom = mailFrom, Recipients = recipients, Source = "smtp" },
        Recipients = recipients,
        OpenContentAsync = _ => ValueTask.FromResult<Stream>(new MemoryStream(content, writable: false)),
        Has8BitContent = content.Any(b => b > 127),
    };

    /// <summary>A request with a small plain message.</summary>
    public static RemoteDeliveryRequest Request(string domain, string mailFrom, params string[] recipients) =>
        Request(domain, mailFrom, [.. recipients.Select(r => new EnvelopeRecipient(r))], SimpleMessage(mailFrom, recipients));

    /// <summary>A small 7-bit message.</summary>
    public static byte[] SimpleMessage(string from, IEnumerable<string> to, string subject = "hello", string body = "Hello there.\r\n") =>
        Encoding.ASCII.GetBytes($"From: <{from}>\r\nTo: {string.Join(", ", to.Select(t => $"<{t}>"))}\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@sender.test>\r\n\r\n{body}");

    public async ValueTask DisposeAsync()
    {
        await Delivery.DisposeAsync();
        await Dns.DisposeAsync();
        _context.Dispose();
    }
}
