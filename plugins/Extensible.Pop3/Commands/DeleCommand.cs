namespace Extensible.Pop3.Commands;

/// <summary>DELE (RFC 1939): marks a message; it is removed only when QUIT ends the TRANSACTION state.</summary>
public sealed class DeleCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "DELE";

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        if (TryGetMessage(session, arguments, out var number))
        {
            session.Maildrop!.MarkDeleted(number);
            session.WriteLine($"+OK Message {number} deleted");
        }

        return ValueTask.CompletedTask;
    }
}
