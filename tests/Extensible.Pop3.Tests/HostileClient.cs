using Extensible.Testing;

namespace Extensible.Pop3.Tests;

/// <summary>POP3 replies over the shared <see cref="RawLineClient"/>.</summary>
internal static class HostileClient
{
    /// <summary>Sends a line with CRLF and reads the one-line status reply.</summary>
    public static async Task<string?> CommandAsync(this RawLineClient client, string line, CancellationToken cancellationToken)
    {
        await client.SendLineAsync(line, cancellationToken);
        return await client.ReadLineAsync(cancellationToken);
    }

    /// <summary>Reads the lines of a multi-line reply up to its terminating dot (not included); throws when the server closes first.</summary>
    public static async Task<List<string>> ReadBodyAsync(this RawLineClient client, CancellationToken cancellationToken)
    {
        var lines = new List<string>();
        while (await client.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == ".")
            {
                return lines;
            }

            lines.Add(line);
        }

        throw new EndOfStreamException("closed inside a multi-line reply");
    }
}
