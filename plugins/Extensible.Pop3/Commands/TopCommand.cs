namespace Extensible.Pop3.Commands;

/// <summary>TOP (RFC 1939): a message's headers, the blank line, and the first n body lines; \Seen is left alone.</summary>
public sealed class TopCommand : Pop3Command
{
    /// <inheritdoc />
    public override string Name => "TOP";

    /// <inheritdoc />
    public override async ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken)
    {
        var space = arguments.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0 || !TryParseNumber(arguments[(space + 1)..], out var lines))
        {
            session.Error("TOP takes a message number and a line count");
            return;
        }

        if (TryGetMessage(session, arguments[..space], out var number))
        {
            await session.SendMessageAsync(number, lines, cancellationToken);
        }
    }
}
