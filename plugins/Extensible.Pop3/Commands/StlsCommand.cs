using Extensible.Pop3.Protocol;

namespace Extensible.Pop3.Commands;

/// <summary>STLS (RFC 2595): starts TLS on a plain connection before login; unread input is dropped.</summary>
public sealed class StlsCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "STLS";

    /// <inheritdoc />
    public override Pop3State States => Pop3State.Authorization;

    /// <inheritdoc />
    public override async ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        if (session.Connection.IsSecure)
        {
            session.Error("TLS is already active");
            return;
        }

        if (!session.StlsAvailable)
        {
            session.Error("STLS is not available");
            return;
        }

        session.WriteLine("+OK Begin TLS negotiation");
        await session.FlushAsync(cancellationToken);
        session.DiscardInput();
        session.PendingUser = null;
        try
        {
            await session.Connection.UpgradeToTlsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // A cancellation the connection did not ask for is the host's handshake deadline: a client that stalls mid-handshake.
            session.Connection.Logger.Information(ex, "POP3 TLS handshake failed");
            session.Connection.Abort("TLS handshake failed");
            session.Close();
            return;
        }

        session.Connection.Logger.Debug("POP3 TLS started: {Protocol} {Cipher}", session.Connection.TlsProtocol, session.Connection.TlsCipherSuite);
    }
}
