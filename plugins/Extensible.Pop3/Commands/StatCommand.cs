namespace Extensible.Pop3.Commands;

/// <summary>STAT (RFC 1939): the number and total size of messages not marked deleted.</summary>
public sealed class StatCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "STAT";

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var (count, size) = session.Maildrop!.Totals();
        session.WriteLine($"+OK {count} {size}");
        return ValueTask.CompletedTask;
    }
}
