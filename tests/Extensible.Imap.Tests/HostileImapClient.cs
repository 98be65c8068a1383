using Extensible.Testing;

namespace Extensible.Imap.Tests;

/// <summary>IMAP replies over the shared <see cref="RawLineClient"/>.</summary>
internal static class HostileImapClient
{
    /// <summary>Sends a tagged command line and returns every line up to and including its tagged reply.</summary>
    public static async Task<List<string>> CommandAsync(this RawLineClient client, string tag, string command, CancellationToken cancellationToken)
    {
        await client.SendLineAsync(tag + " " + command, cancellationToken);
        return await client.ReadUntilTaggedAsync(tag, cancellationToken);
    }

    /// <summary>Sends a tagged command line and returns only its tagged reply.</summary>
    public static async Task<string> TaggedAsync(this RawLineClient client, string tag, string command, CancellationToken cancellationToken) =>
        (await client.CommandAsync(tag, command, cancellationToken))[^1];

    /// <summary>Reads lines until the tagged reply of <paramref name="tag"/> (included); throws when the server closes first.</summary>
    public static async Task<List<string>> ReadUntilTaggedAsync(this RawLineClient client, string tag, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await client.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }
        }

        throw new EndOfStreamException($"closed before the reply to {tag}; got:\n" + string.Join('\n', lines.TakeLast(10)));
    }

    /// <summary>Sends a line with CRLF and reads the next line, for continuation requests.</summary>
    public static async Task<string?> LineAsync(this RawLineClient client, string line, CancellationToken cancellationToken)
    {
        await client.SendLineAsync(line, cancellationToken);
        return await client.ReadLineAsync(cancellationToken);
    }
}
