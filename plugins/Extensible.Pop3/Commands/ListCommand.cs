namespace Extensible.Pop3.Commands;

/// <summary>LIST (RFC 1939): the size of one message, or of every message not marked deleted.</summary>
public sealed class ListCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "LIST";

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var maildrop = session.Maildrop!;
        if (arguments.Length > 0)
        {
            if (TryGetMessage(session, arguments, out var number))
            {
                session.WriteLine($"+OK {number} {maildrop[number].Size}");
            }

            return ValueTask.CompletedTask;
        }

        var (count, size) = maildrop.Totals();
        session.WriteLine($"+OK {count} messages ({size} octets)");
        for (var i = 1; i <= maildrop.Count; i++)
        {
            if (maildrop.IsLive(i))
            {
                session.WriteLine($"{i} {maildrop[i].Size}");
            }
        }

        session.WriteLine(".");
        return ValueTask.CompletedTask;
    }
}
