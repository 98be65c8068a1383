using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Extensible.Hosting.Configuration;
using Extensible.Hosting.Runtime;
using Extensible.Sdk.Connections;

namespace Extensible.Hosting.Networking;

/// <summary>One bound listener of a service: accepts connections, reads a PROXY header when configured, applies admission, and runs the handler within the service's budget.</summary>
internal sealed class SocketListener : ListenerInfo, IAsyncDisposable
{
    /// <summary>How long a proxy gets to send its PROXY header (AXIGEN's proxyProtocolTimeout).</summary>
    public static readonly TimeSpan ProxyHeaderTimeout = TimeSpan.FromSeconds(10);

    private readonly ListenerOptions _options;
    private readonly MailConnectionHandler _handler;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopAccepting = new();
    private Task _acceptLoop = Task.CompletedTask;

    public SocketListener(PluginRuntime service, ListenerOptions options, MailConnectionHandler handler, SslStreamCertificateContext? certificate, AccessPolicy policy)
    {
        Service = service;
        _options = options;
        _handler = handler;
        Certificate = certificate;
        Admission = new ConnectionAdmission(service.Access, options.Name, policy);
        var endPoint = ParseAddress(options.Address);
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            _socket.DualMode = true;
        }

        _socket.NoDelay = true;
        _socket.Bind(endPoint);
        _socket.Listen(1024);
        BoundEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public PluginRuntime Service { get; }

    public ConnectionAdmission Admission { get; }

    public SslStreamCertificateContext? Certificate { get; }

    public override string Name => _options.Name;

    public override EndPoint BoundEndPoint { get; }

    public override bool ImplicitTls => _options.ImplicitTls;

    public override bool TlsAvailable => Certificate is not null;

    public ListenerOptions Options => _options;

    public override TOptions GetOptions<TOptions>() => Service.Context.BindListenerOptions<TOptions>(_options.Name);

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c> or <c>*:port</c>.</summary>
    public static IPEndPoint ParseAddress(string address)
    {
        if (address.StartsWith("*:", StringComparison.Ordinal) && int.TryParse(address.AsSpan(2), out var anyPort))
        {
            return new IPEndPoint(IPAddress.IPv6Any, anyPort);
        }

        if (IPEndPoint.TryParse(address, out var endPoint) && address.Contains(':', StringComparison.Ordinal))
        {
            return endPoint;
        }

        throw new ConfigurationException($"listener address '{address}' is not host:port, [v6]:port or *:port");
    }

    public void Start() => _acceptLoop = AcceptLoopAsync(_stopAccepting.Token);

    /// <summary>Stops accepting; open connections are left to the service to drain.</summary>
    public async Task StopAcceptingAsync()
    {
        await _stopAccepting.CancelAsync();
        _socket.Dispose();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAcceptingAsync();
        _stopAccepting.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                Service.Logger.Warning("Accept on {Listener} failed: {Error}", Name, ex.SocketErrorCode);
                continue;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        var remote = Normalize((IPEndPoint)client.RemoteEndPoint!);
        var local = Normalize((IPEndPoint)client.LocalEndPoint!);
        Stream? prefetched = null;
        if (_options.ProxyProtocol)
        {
            var header = await ReadProxyHeaderAsync(client, remote);
            if (header is null)
            {
                client.Dispose();
                return;
            }

            remote = header.Source is { } source ? Normalize(source) : remote;
            local = header.Destination is { } destination ? Normalize(destination) : local;
            prefetched = new PrefixedStream(header.Leftover, new NetworkStream(client, ownsSocket: false));
        }

        var admission = Admission.TryAdmit(remote.Address);
        if (admission.Lease is not { } lease)
        {
            if (prefetched is not null)
            {
                await prefetched.DisposeAsync();
            }

            await RefuseAsync(client, admission.Refusal!.Value);
            return;
        }

        SocketConnection? connection = null;
        try
        {
            if (admission.GreetingDelay > TimeSpan.Zero)
            {
                Service.Logger.Debug("Holding {Peer} on {Listener} for {Delay} after failed logins", remote, Name, admission.GreetingDelay);
                await Task.Delay(admission.GreetingDelay, Service.Stopping);
            }

            connection = new SocketConnection(client, this, remote, local, Service.Stopping, prefetched);
            await Service.RunConnectionAsync(connection, _handler, admission.IdleTimeoutSeconds);
        }
        catch (OperationCanceledException) when (Service.Stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Service.Logger.Error(ex, "Connection from {Peer} on {Listener} failed outside the protocol", remote, Name);
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            else
            {
                if (prefetched is not null)
                {
                    await prefetched.DisposeAsync();
                }

                client.Dispose();
            }

            lease.Dispose();
        }
    }

    /// <summary>Reads the PROXY header; null (after a throttled log line) when it is missing, malformed or late.</summary>
    private async Task<ProxyHeader?> ReadProxyHeaderAsync(Socket client, IPEndPoint proxy)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Service.Stopping);
        timeout.CancelAfter(ProxyHeaderTimeout);
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            return await ProxyProtocolReader.ReadAsync(stream, timeout.Token);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or SocketException or OperationCanceledException)
        {
            var reason = ex is OperationCanceledException ? "no PROXY header in time" : ex.Message;
            Service.Access.RecordProxyFailure(proxy.Address, Name, reason);
            return null;
        }
    }

    private async Task RefuseAsync(Socket client, RefusalReason reason)
    {
        try
        {
            var line = ImplicitTls ? null : _handler.FormatRefusal(reason, Service.Context.ServerName);
            if (line is not null)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.SendAsync(System.Text.Encoding.ASCII.GetBytes(line), SocketFlags.None, timeout.Token);
            }

            client.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
