using System.Text;
using Extensible.Testing;

namespace Extensible.Smtp.Tests.Support;

/// <summary>SMTP replies over the shared <see cref="RawLineClient"/>.</summary>
internal static class HostileClient
{
    /// <summary>Sends a line with CRLF and reads one whole reply.</summary>
    public static async Task<string?> CommandAsync(this RawLineClient client, string line, CancellationToken cancellationToken)
    {
        await client.SendLineAsync(line, cancellationToken);
        return await client.ReadReplyAsync(cancellationToken);
    }

    /// <summary>Reads an SMTP reply (all continuation lines), joined by LF; null when the server closed.</summary>
    public static async Task<string?> ReadReplyAsync(this RawLineClient client, CancellationToken cancellationToken)
    {
        var reply = new StringBuilder();
        while (await client.ReadLineAsync(cancellationToken) is { } line)
        {
            reply.Append(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return reply.ToString();
            }

            reply.Append('\n');
        }

        return reply.Length == 0 ? null : reply.ToString();
    }
}
