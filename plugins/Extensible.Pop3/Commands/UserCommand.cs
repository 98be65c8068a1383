using Extensible.Pop3.Protocol;

namespace Extensible.Pop3.Commands;

/// <summary>USER (RFC 1939): remembers the login name for PASS; refused without TLS unless plainConnAllowLogin.</summary>
public sealed class UserCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "USER";

    /// <inheritdoc />
    public override Pop3State States => Pop3State.Authorization;

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        if (!session.PlainTextLoginAllowed)
        {
            session.Error(Pop3ResponseCode.Auth + "Plain-text login is not allowed without TLS; use STLS or SASL");
            return ValueTask.CompletedTask;
        }

        if (arguments.Length == 0 || arguments.Contains(' ', StringComparison.Ordinal))
        {
            session.Error("USER takes one login name");
            return ValueTask.CompletedTask;
        }

        session.PendingUser = arguments;
        session.WriteLine("+OK Send PASS");
        return ValueTask.CompletedTask;
    }
}
