using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Extensible.SmtpSending.Routing;
using MailKit.Security;

namespace Extensible.SmtpSending.Transport;

/// <summary>Opens SMTP connections: TCP with a timeout, greeting and EHLO, STARTTLS by policy, AUTH for relays.</summary>
internal sealed class SmtpConnector(SmtpSendingOptions options, string heloName, Serilog.ILogger logger)
{
    /// <summary>Connects to one address of a target; throws on failure (the caller tries the next address).</summary>
    public async Task<DeliveryClient> ConnectAsync(DeliveryTarget target, IPAddress address, string poolKey, CancellationToken cancellationToken)
    {
        var policy = target.Relay?.Tls ?? options.Tls;
        try
        {
            return await ConnectOnceAsync(target, address, poolKey, policy, cancellationToken);
        }
        catch (SslHandshakeException ex) when (policy == TlsPolicy.Opportunistic && !options.VerifyCertificates && !cancellationToken.IsCancellationRequested)
        {
            // Opportunistic TLS must not make mail undeliverable: fall back to a plain session, as other MTAs do.
            // With certificate verification asked for, a failed handshake is a failure instead (no silent downgrade).
            logger.Warning("STARTTLS with {RemoteHost} [{Address}] failed ({Error}); retrying without TLS", target.Host, address, ex.Message);
            return await ConnectOnceAsync(target, address, poolKey, TlsPolicy.None, cancellationToken);
        }
    }

    private async Task<DeliveryClient> ConnectOnceAsync(DeliveryTarget target, IPAddress address, string poolKey, TlsPolicy policy, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, options.ConnectTimeoutSeconds)));
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, target.Port), connectTimeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"connect to {address}:{target.Port} timed out after {options.ConnectTimeoutSeconds}s");
                }
            }

            var client = new DeliveryClient(target.Host, poolKey)
            {
                LocalDomain = heloName,
                Timeout = (int)Math.Min(int.MaxValue, TimeSpan.FromSeconds(Math.Max(1, options.CommandTimeoutSeconds)).TotalMilliseconds),
                CheckCertificateRevocation = options.VerifyCertificates,
                ServerCertificateValidationCallback = ValidateCertificate,
            };
            try
            {
                var secure = policy switch
                {
                    TlsPolicy.Required => SecureSocketOptions.StartTls,
                    TlsPolicy.Implicit => SecureSocketOptions.SslOnConnect,
                    TlsPolicy.None => SecureSocketOptions.None,
                    _ => SecureSocketOptions.StartTlsWhenAvailable,
                };
                await client.ConnectAsync(socket, target.Host, target.Port, secure, cancellationToken);
                socket = null;
                if (target.Relay is { UserName.Length: > 0 } relay)
                {
                    await client.AuthenticateAsync(new NetworkCredential(relay.UserName, relay.Password ?? ""), cancellationToken);
                }

                return client;
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None || !options.VerifyCertificates;
}
