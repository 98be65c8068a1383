using System.Globalization;
using Extensible.Pop3.Protocol;
using Extensible.Sdk.Security;

namespace Extensible.Pop3.Commands;

/// <summary>CAPA (RFC 2449): lists what the server supports in the current state and on this connection.</summary>
public sealed class CapaCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "CAPA";

    /// <inheritdoc />
    public override Pop3State States => Pop3State.Any;

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var options = session.Options;
        session.WriteLine("+OK Capability list follows");
        session.WriteLine("TOP");
        session.WriteLine("UIDL");
        session.WriteLine("RESP-CODES");
        session.WriteLine("AUTH-RESP-CODE");
        session.WriteLine("PIPELINING");
        if (session.State == Pop3State.Authorization)
        {
            if (session.PlainTextLoginAllowed)
            {
                session.WriteLine("USER");
            }

            session.WriteLine("SASL " + string.Join(' ', SaslServer.MechanismNames(session.PlainTextLoginAllowed)));
            if (session.StlsAvailable)
            {
                session.WriteLine("STLS");
            }
        }

        session.WriteLine(options.Expire is null or < 0 ? "EXPIRE NEVER" : "EXPIRE " + options.Expire.Value.ToString(CultureInfo.InvariantCulture));
        if (options.LoginDelay > 0)
        {
            session.WriteLine("LOGIN-DELAY " + options.LoginDelay.ToString(CultureInfo.InvariantCulture));
        }

        session.WriteLine("IMPLEMENTATION Extensible");
        session.WriteLine(".");
        return ValueTask.CompletedTask;
    }
}
