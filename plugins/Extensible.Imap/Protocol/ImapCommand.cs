namespace Extensible.Imap.Protocol;

/// <summary>One client command as read off the wire: its text lines, with literal <c>i</c> between line <c>i</c> and <c>i+1</c>.</summary>
internal sealed class ImapCommand : IDisposable
{
    /// <summary>The command's lines without line endings; each but the last ends with a literal announcement.</summary>
    public List<byte[]> Lines { get; } = [];

    /// <summary>The literals, in order.</summary>
    public List<ImapLiteral> Literals { get; } = [];

    /// <summary>Deletes spooled literals.</summary>
    public void Dispose()
    {
        foreach (var literal in Literals)
        {
            literal.Dispose();
        }

        Literals.Clear();
    }
}
