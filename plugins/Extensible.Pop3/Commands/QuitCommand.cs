using Extensible.Pop3.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Pop3.Commands;

/// <summary>QUIT (RFC 1939): in TRANSACTION enters UPDATE and expunges exactly the messages marked by DELE, then closes.</summary>
public sealed class QuitCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "QUIT";

    /// <inheritdoc />
    public override Pop3State States => Pop3State.Any;

    /// <inheritdoc />
    public override async ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        session.Close();
        if (session.State == Pop3State.Authorization)
        {
            session.WriteLine("+OK Bye");
            return;
        }

        try
        {
            await session.FlushSeenAsync(cancellationToken);
            var removed = await session.Maildrop!.CommitAsync(cancellationToken);
            session.WriteLine($"+OK Bye, {removed} messages deleted");
        }
        catch (StoreException ex)
        {
            session.Connection.Logger.Warning(ex, "POP3 UPDATE state failed");
            session.WriteLine("-ERR " + Pop3ResponseCode.SysTemp + "Some deleted messages were not removed");
        }
    }
}
