namespace Extensible.Pop3.Commands;

/// <summary>NOOP (RFC 1939): does nothing and says so.</summary>
public sealed class NoopCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "NOOP";

    /// <inheritdoc />
    public override ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        session.WriteLine("+OK");
        return ValueTask.CompletedTask;
    }
}
