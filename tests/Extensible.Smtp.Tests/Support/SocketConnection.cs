using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;

namespace Extensible.Smtp.Tests.Support;

/// <summary>A <see cref="MailConnectionContext"/> over an accepted socket, with a STARTTLS upgrade that drops unread input as the host does.</summary>
internal sealed class SocketConnection : MailConnectionContext, IDuplexPipe
{
    private readonly Socket _socket;
    private readonly NetworkStream _network;
    private readonly X509Certificate2 _certificate;
    private readonly CancellationTokenSource _closed;
    private SslStream? _tls;

    public SocketConnection(Socket socket, TestListener listener, X509Certificate2 certificate, ServiceLimits limits, CancellationToken stopping)
    {
        _socket = socket;
        _network = new NetworkStream(socket, ownsSocket: false);
        _certificate = certificate;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        Listener = listener;
        Limits = limits;
        Input = PipeReader.Create(_network, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(_network, new StreamPipeWriterOptions(leaveOpen: true));
        RemoteEndPoint = (IPEndPoint)socket.RemoteEndPoint!;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public int AuthenticationFailures;

    public ConcurrentQueue<string> TranscriptLines { get; } = new();

    public PipeReader Input { get; private set; }

    public PipeWriter Output { get; private set; }

    public override string ConnectionId { get; } = "t" + Random.Shared.Next(1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    public override IDuplexPipe Transport => this;

    public override IPEndPoint RemoteEndPoint { get; }

    public override IPEndPoint LocalEndPoint { get; }

    public override ListenerInfo Listener { get; }

    public override CancellationToken ConnectionClosed => _closed.Token;

    public override bool IsSecure => _tls is not null;

    public override SslProtocols TlsProtocol => _tls?.SslProtocol ?? SslProtocols.None;

    public override string? TlsCipherSuite => _tls?.NegotiatedCipherSuite.ToString();

    public override Serilog.ILogger Logger { get; } = Serilog.Core.Logger.None;

    public override IProtocolTranscript Transcript => new CollectingTranscript(TranscriptLines);

    public override ServiceLimits Limits { get; }

    public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

    public async Task StartImplicitTlsAsync(CancellationToken cancellationToken) => await UpgradeToTlsAsync(cancellationToken);

    public override async Task UpgradeToTlsAsync(CancellationToken cancellationToken = default)
    {
        await Output.FlushAsync(cancellationToken);
        // The old reader's buffered bytes (anything pipelined after STARTTLS) are dropped with it (RFC 3207).
        _tls = new SslStream(_network, leaveInnerStreamOpen: true);
        await _tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, cancellationToken);
        Input = PipeReader.Create(_tls, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(_tls, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public override void ReportAuthenticationFailure() => Interlocked.Increment(ref AuthenticationFailures);

    public override void Abort(string reason)
    {
        _closed.Cancel();
        _socket.Close();
    }

    public async ValueTask CloseAsync()
    {
        try
        {
            await Output.FlushAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        _closed.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        await _network.DisposeAsync();
        _socket.Dispose();
        _closed.Dispose();
    }

    private sealed class CollectingTranscript(ConcurrentQueue<string> lines) : IProtocolTranscript
    {
        public bool IsEnabled => true;

        public void Client(string line, bool redact = false) => lines.Enqueue("C: " + line);

        public void Server(string line) => lines.Enqueue("S: " + line);
    }
}
