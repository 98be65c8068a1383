namespace Extensible.Pop3.Commands;

/// <summary>UIDL (RFC 1939): stable unique-ids built from the folder's UIDVALIDITY and the message's UID.</summary>
public sealed class UidlCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "UIDL";

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var maildrop = session.Maildrop!;
        if (arguments.Length > 0)
        {
            if (TryGetMessage(session, arguments, out var number))
            {
                session.WriteLine($"+OK {number} {maildrop.UniqueId(number)}");
            }

            return ValueTask.CompletedTask;
        }

        session.WriteLine("+OK Unique-id listing follows");
        for (var i = 1; i <= maildrop.Count; i++)
        {
            if (maildrop.IsLive(i))
            {
                session.WriteLine($"{i} {maildrop.UniqueId(i)}");
            }
        }

        session.WriteLine(".");
        return ValueTask.CompletedTask;
    }
}
