using Extensible.Pop3.Protocol;

namespace Extensible.Pop3.Commands;

/// <summary>PASS (RFC 1939): checks the password for the name USER gave and opens the maildrop.</summary>
public sealed class PassCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "PASS";

    /// <inheritdoc />
    public override Pop3State States => Pop3State.Authorization;

    /// <inheritdoc />
    public override bool HasSecretArguments => true;

    /// <inheritdoc />
    public override async ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var login = session.PendingUser;
        session.PendingUser = null;
        if (!session.PlainTextLoginAllowed)
        {
            session.Error(Pop3ResponseCode.Auth + "Plain-text login is not allowed without TLS; use STLS or SASL");
            return;
        }

        if (login is null)
        {
            session.Error("Send USER first");
            return;
        }

        // RFC 1939 lets the password contain spaces: it is the rest of the line.
        var user = await session.Services.Users.AuthenticateAsync(login, arguments, cancellationToken);
        if (user is null)
        {
            session.AuthenticationFailed(login, "bad credentials");
            return;
        }

        await session.LoginAsync(user, cancellationToken);
    }
}
