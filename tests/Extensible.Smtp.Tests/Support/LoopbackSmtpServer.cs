using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;
using Extensible.SmtpReceiving;

namespace Extensible.Smtp.Tests.Support;

/// <summary>The plugin's connection handler on a real loopback socket (port 0), without the host: for protocol tests with real clients.</summary>
internal sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private static readonly Lazy<X509Certificate2> Certificate = new(CreateCertificate);
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _sessions = [];
    private readonly SmtpConnectionHandler _handler;
    private readonly TestListener _listenerInfo;
    private readonly ServiceLimits _limits;

    private LoopbackSmtpServer(SmtpReceivingOptions options, SmtpListenerOptions listenerOptions, string listenerName, bool implicitTls, ServiceLimits limits, IMessagePipeline? pipeline = null, int port = 0)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        SpoolDirectory = Directory.CreateTempSubdirectory("smtp-spool-").FullName;
        _limits = limits;
        _listenerInfo = new TestListener(listenerName, _listener.LocalEndPoint!, implicitTls, listenerOptions);
        _handler = new SmtpConnectionHandler(new SmtpReceivingServices(
            options, "mx.example.test", "example.test", SpoolDirectory, pipeline ?? Pipeline, Users, Hooks));
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public string SpoolDirectory { get; }

    public CollectingPipeline Pipeline { get; } = new();

    public TestUserDirectory Users { get; } = new TestUserDirectory().Add("a@example.test", "secret").Add("b@example.test", "secret");

    public List<ISmtpHook> Hooks { get; } = [];

    public List<SocketConnection> Connections { get; } = [];

    public static X509Certificate2 ServerCertificate => Certificate.Value;

    /// <summary>A protocol-only sink for the benchmark: every message is read, then dropped by <paramref name="pipeline"/>.</summary>
    public static LoopbackSmtpServer StartSink(IMessagePipeline pipeline, int port) =>
        new(new SmtpReceivingOptions(), new SmtpListenerOptions(), "mx", implicitTls: false, new ServiceLimits { MaxErrors = 0 }, pipeline, port);

    public static LoopbackSmtpServer Start(
        SmtpReceivingOptions? options = null,
        SmtpListenerOptions? listener = null,
        string listenerName = "mx",
        bool implicitTls = false,
        ServiceLimits? limits = null) =>
        new(options ?? new SmtpReceivingOptions(), listener ?? new SmtpListenerOptions(), listenerName, implicitTls, limits ?? new ServiceLimits());

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(10));
        _stopping.Dispose();
        Directory.Delete(SpoolDirectory, recursive: true);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var connection = new SocketConnection(socket, _listenerInfo, ServerCertificate, _limits, _stopping.Token);
            lock (_sessions)
            {
                _sessions.RemoveAll(t => t.IsCompleted);
                if (Connections.Count < 1000)
                {
                    Connections.Add(connection);
                }

                _sessions.Add(RunAsync(connection));
            }
        }
    }

    private async Task RunAsync(SocketConnection connection)
    {
        try
        {
            if (_listenerInfo.ImplicitTls)
            {
                await connection.StartImplicitTlsAsync(connection.ConnectionClosed);
            }

            await _handler.OnConnectedAsync(connection);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mx.example.test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
