using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Security.Authentication;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;

namespace Extensible.Pop3.Tests.InMemory;

/// <summary>A <see cref="MailConnectionContext"/> over two in-memory pipes, with the client's ends exposed to the test.</summary>
public sealed class InMemoryConnection : MailConnectionContext, IDuplexPipe
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly CancellationTokenSource _closed = new();

    public InMemoryConnection(bool secure = false, ServiceLimits? limits = null)
    {
        IsSecure = secure;
        Limits = limits ?? new ServiceLimits();
    }

    public PipeWriter ClientOutput => _toServer.Writer;

    public PipeReader ClientInput => _toClient.Reader;

    public int AuthenticationFailures;

    public ConcurrentQueue<string> TranscriptLines { get; } = new();

    public string? AbortReason { get; private set; }

    public override string ConnectionId { get; } = "mem" + Random.Shared.Next(100000);

    public override IDuplexPipe Transport => this;

    PipeReader IDuplexPipe.Input => _toServer.Reader;

    PipeWriter IDuplexPipe.Output => _toClient.Writer;

    public override IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Loopback, 40000);

    public override IPEndPoint LocalEndPoint { get; } = new(IPAddress.Loopback, 110);

    public override ListenerInfo Listener { get; } = new InMemoryListener();

    public override CancellationToken ConnectionClosed => _closed.Token;

    public override bool IsSecure { get; }

    public override SslProtocols TlsProtocol => SslProtocols.None;

    public override string? TlsCipherSuite => null;

    public override Serilog.ILogger Logger { get; } = Serilog.Core.Logger.None;

    public override IProtocolTranscript Transcript => new CollectingTranscript(TranscriptLines);

    public override ServiceLimits Limits { get; }

    public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

    public override Task UpgradeToTlsAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("no TLS in memory");

    public override void ReportAuthenticationFailure() => Interlocked.Increment(ref AuthenticationFailures);

    public override void Abort(string reason)
    {
        AbortReason = reason;
        _closed.Cancel();
    }

    private sealed class InMemoryListener : ListenerInfo
    {
        public override string Name => "pop3";

        public override EndPoint BoundEndPoint => new IPEndPoint(IPAddress.Loopback, 110);

        public override bool ImplicitTls => false;

        public override bool TlsAvailable => false;

        public override TOptions GetOptions<TOptions>() => new();
    }

    private sealed class CollectingTranscript(ConcurrentQueue<string> lines) : IProtocolTranscript
    {
        public bool IsEnabled => true;

        public void Client(string line, bool redact = false) => lines.Enqueue("C: " + (redact ? "<redacted>" : line));

        public void Server(string line) => lines.Enqueue("S: " + line);
    }
}
