namespace Extensible.Pop3.Commands;

/// <summary>RETR (RFC 1939): streams a whole message, dot-stuffed, and sets \Seen on it.</summary>
public sealed class RetrCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "RETR";

    /// <inheritdoc />
    public override async ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        if (!TryGetMessage(session, arguments, out var number))
        {
            return;
        }

        if (await session.SendMessageAsync(number, -1, cancellationToken))
        {
            session.MarkSeen(number);
        }
    }
}
