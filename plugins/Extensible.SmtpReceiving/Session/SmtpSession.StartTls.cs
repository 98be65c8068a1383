using System.Security.Authentication;

namespace Extensible.SmtpReceiving.Session;

internal sealed partial class SmtpSession
{
    private async ValueTask StartTlsAsync(string args)
    {
        if (args.Length > 0)
        {
            Error("501 5.5.4 Syntax: STARTTLS");
            return;
        }

        if (_connection.IsSecure)
        {
            Error("503 5.5.1 Error: TLS already active");
            return;
        }

        if (!_connection.Listener.TlsAvailable)
        {
            Error("454 4.7.0 TLS not available");
            return;
        }

        Reply("220 2.0.0 Ready to start TLS\r\n"u8);
        await FlushAsync();
        try
        {
            await _connection.UpgradeToTlsAsync(Closed);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException
                                   || (ex is OperationCanceledException && !Closed.IsCancellationRequested))
        {
            // A cancellation the connection did not ask for is the host's handshake deadline: a client that stalls mid-handshake.
            _connection.Logger.Information("TLS handshake failed: {Reason}", ex is OperationCanceledException ? "timed out" : ex.Message);
            _closing = true;
            return;
        }

        // RFC 3207 4.2: forget everything learnt before TLS; the host dropped any input sent before the handshake.
        _reader = _connection.Transport.Input;
        _writer = _connection.Transport.Output;
        _heloName = null;
        _esmtp = false;
        _user = null;
        await ResetTransactionAsync();
        _connection.Logger.Debug("TLS started: {Protocol} {Cipher}", _connection.TlsProtocol, _connection.TlsCipherSuite);
    }
}
