namespace Extensible.Pop3.Commands;

/// <summary>RSET (RFC 1939): unmarks every message marked by DELE.</summary>
public sealed class RsetCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "RSET";

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var maildrop = session.Maildrop!;
        maildrop.Reset();
        var (count, size) = maildrop.Totals();
        session.WriteLine($"+OK Maildrop has {count} messages ({size} octets)");
        return ValueTask.CompletedTask;
    }
}
