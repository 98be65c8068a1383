using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Extensible.Sdk.Connections;
using Extensible.Sdk.Plugins;

namespace Extensible.Hosting.Networking;

/// <summary>An accepted socket as a <see cref="MailConnectionContext"/>: pipes over the network stream, upgradable to TLS in place.</summary>
internal sealed class SocketConnection : MailConnectionContext, IAsyncDisposable
{
    private const int MinimumReadSize = 2048;
    private static long _nextId;

    private readonly Socket _socket;
    private readonly ActivityStream _network;
    private readonly SocketListener _listener;
    private readonly CancellationTokenSource _closed;
    private Stream _stream;
    private IDuplexPipe _transport;
    private SslStream? _tls;
    private int _disposed;

    public SocketConnection(Socket socket, SocketListener listener, IPEndPoint remote, IPEndPoint local, CancellationToken serviceStopping, Stream? prefetched = null)
    {
        _socket = socket;
        _listener = listener;
        _network = new ActivityStream(prefetched ?? new NetworkStream(socket, ownsSocket: false));
        _stream = _network;
        _transport = CreatePipe(_stream);
        _closed = CancellationTokenSource.CreateLinkedTokenSource(serviceStopping);
        RemoteEndPoint = remote;
        LocalEndPoint = local;
        ConnectionId = Interlocked.Increment(ref _nextId).ToString("x6", System.Globalization.CultureInfo.InvariantCulture);
        Logger = listener.Service.Logger
            .ForContext("ConnectionId", ConnectionId)
            .ForContext("Peer", remote.ToString())
            .ForContext("Listener", listener.Name);
        Transcript = new ProtocolTranscript(Logger, listener.Service.Id);
    }

    public override string ConnectionId { get; }

    public override IDuplexPipe Transport => _transport;

    public override IPEndPoint RemoteEndPoint { get; }

    public override IPEndPoint LocalEndPoint { get; }

    public override ListenerInfo Listener => _listener;

    public override CancellationToken ConnectionClosed => _closed.Token;

    public override bool IsSecure => _tls is not null;

    public override SslProtocols TlsProtocol => _tls?.SslProtocol ?? SslProtocols.None;

    public override string? TlsCipherSuite => _tls?.NegotiatedCipherSuite.ToString();

    public override Serilog.ILogger Logger { get; }

    public override IProtocolTranscript Transcript { get; }

    public override ServiceLimits Limits => _listener.Service.Limits;

    public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

    /// <summary>When the peer last sent or received data.</summary>
    public long LastActivityTicks => _network.LastActivityTicks;

    /// <summary>Seconds without traffic after which the host closes the connection; 0 for never.</summary>
    public int IdleTimeoutSeconds { get; set; }

    /// <summary>Why the host closed the connection, when it did.</summary>
    public RefusalReason? CloseReason { get; private set; }

    public override void ReportAuthenticationFailure() => _listener.Service.Access.ReportAuthenticationFailure(RemoteEndPoint.Address);

    public override async Task UpgradeToTlsAsync(CancellationToken cancellationToken = default)
    {
        if (_tls is not null)
        {
            throw new InvalidOperationException("TLS is already active on this connection");
        }

        await _transport.Output.FlushAsync(cancellationToken);
        // Input received before the handshake is dropped with the old reader (RFC 3207 section 4.2).
        await _transport.Input.CompleteAsync();
        await _transport.Output.CompleteAsync();
        await StartTlsAsync(cancellationToken);
    }

    /// <summary>Performs the server TLS handshake on the raw stream and replaces the pipes.</summary>
    public async Task StartTlsAsync(CancellationToken cancellationToken)
    {
        var certificate = _listener.Certificate ?? throw new InvalidOperationException("no TLS certificate is configured for this listener");
        var tls = new SslStream(_network, leaveInnerStreamOpen: true);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                ClientCertificateRequired = false,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            }, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or AuthenticationException or System.Net.Sockets.SocketException)
        {
            // The old pipes are gone and no TLS exists: nothing more can be said on this connection.
            await tls.DisposeAsync();
            Close(null);
            if (ex is OperationCanceledException && (cancellationToken.IsCancellationRequested || _closed.IsCancellationRequested))
            {
                throw;
            }

            Logger.Information("TLS handshake failed: {Reason}", ex is OperationCanceledException ? "timed out after 30 s" : ex.Message);
            throw new AuthenticationException(ex is OperationCanceledException ? "TLS handshake timed out" : "TLS handshake failed: " + ex.Message, ex);
        }

        _tls = tls;
        _stream = tls;
        _transport = CreatePipe(tls);
        Logger.Debug("TLS established: {Protocol} {Cipher}", tls.SslProtocol, tls.NegotiatedCipherSuite);
    }

    public override void Abort(string reason)
    {
        Logger.Information("Connection aborted: {Reason}", reason);
        Close(null);
    }

    /// <summary>Ends the connection for a host reason; the handler sees <see cref="ConnectionClosed"/> cancelled.</summary>
    public void Close(RefusalReason? reason)
    {
        CloseReason ??= reason;
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        if (reason is null)
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Writes a last line straight to the stream after the handler has finished.</summary>
    public async Task WriteFinalLineAsync(string line)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(line), timeout.Token);
            await _stream.FlushAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await _transport.Output.CompleteAsync();
            await _transport.Input.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
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

    private static DuplexPipe CreatePipe(Stream stream) => new(
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: MinimumReadSize, leaveOpen: true, useZeroByteReads: true)),
        PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 4096, leaveOpen: true)));

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
