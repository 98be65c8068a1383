using System.Text;
using Extensible.Imap.Protocol;
using Extensible.Imap.Search;
using MimeKit;

namespace Extensible.Imap;

/// <summary>THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256; REFERENCES links by Message-ID, References and In-Reply-To).</summary>
internal sealed partial class ImapSession
{
    private sealed class ThreadNode(uint id, DateTimeOffset date)
    {
        public uint Id { get; } = id;

        public DateTimeOffset Date { get; } = date;

        public List<ThreadNode> Children { get; } = [];

        public ThreadNode? Parent { get; set; }
    }

    private async ValueTask ThreadAsync(string tag, ImapParser p, bool byUid, CancellationToken ct)
    {
        p.Space();
        var algorithm = p.ReadAtom().ToUpperInvariant();
        if (algorithm is not ("ORDEREDSUBJECT" or "REFERENCES"))
        {
            throw new ImapParseException("Unsupported threading algorithm");
        }

        p.Space();
        SearchParser.ReadCharset(p);
        p.Space();
        var program = SearchParser.ReadProgram(p);
        await FlushUpdatesAsync(allowExpunge: false, ct);
        var matches = await EvaluateAsync(program, ct);
        var nodes = new List<(ThreadNode Node, MimeMessage? Headers)>();
        foreach (var (seq, summary) in matches)
        {
            var headers = await LoadHeadersAsync(summary.Uid, ct);
            nodes.Add((new ThreadNode(byUid ? summary.Uid : seq, SentDate(headers, summary)), headers));
        }

        var roots = algorithm == "ORDEREDSUBJECT" ? OrderedSubject(nodes) : References(nodes);
        var sb = new StringBuilder("* THREAD ");
        foreach (var root in roots)
        {
            sb.Append('(');
            AppendThread(sb, root);
            sb.Append(')');
        }

        _writer.Raw(sb.ToString().TrimEnd()).EndLine();
        await OkAsync(tag, "THREAD completed", allowExpunge: byUid, ct: ct);
    }

    private static List<ThreadNode> OrderedSubject(List<(ThreadNode Node, MimeMessage? Headers)> nodes)
    {
        var roots = new List<ThreadNode>();
        foreach (var group in nodes.GroupBy(n => BaseSubject(n.Headers?.Subject)))
        {
            var ordered = group.Select(g => g.Node).OrderBy(n => n.Date).ThenBy(n => n.Id).ToList();
            var root = ordered[0];
            foreach (var child in ordered.Skip(1))
            {
                root.Children.Add(child);
            }

            roots.Add(root);
        }

        return [.. roots.OrderBy(r => r.Date).ThenBy(r => r.Id)];
    }

    private static List<ThreadNode> References(List<(ThreadNode Node, MimeMessage? Headers)> nodes)
    {
        var byId = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        foreach (var (node, headers) in nodes)
        {
            if (headers?.MessageId is { Length: > 0 } id)
            {
                byId.TryAdd(id, node);
            }
        }

        foreach (var (node, headers) in nodes)
        {
            if (headers is null)
            {
                continue;
            }

            var references = headers.References.ToList();
            if (references.Count == 0 && headers.InReplyTo is { Length: > 0 } inReplyTo)
            {
                references.Add(inReplyTo);
            }

            for (var i = references.Count - 1; i >= 0; i--)
            {
                if (byId.TryGetValue(references[i], out var parent) && parent != node && !IsAncestor(node, parent))
                {
                    node.Parent = parent;
                    parent.Children.Add(node);
                    break;
                }
            }
        }

        foreach (var (node, _) in nodes)
        {
            node.Children.Sort((a, b) => a.Date != b.Date ? a.Date.CompareTo(b.Date) : a.Id.CompareTo(b.Id));
        }

        return [.. nodes.Select(n => n.Node).Where(n => n.Parent is null).OrderBy(n => n.Date).ThenBy(n => n.Id)];
    }

    private static bool IsAncestor(ThreadNode candidate, ThreadNode node)
    {
        for (var current = node; current is not null; current = current.Parent)
        {
            if (current == candidate)
            {
                return true;
            }
        }

        return false;
    }

    private static void AppendThread(StringBuilder sb, ThreadNode node)
    {
        var current = node;
        sb.Append(current.Id);
        while (current.Children.Count == 1)
        {
            current = current.Children[0];
            sb.Append(' ').Append(current.Id);
        }

        if (current.Children.Count > 1)
        {
            sb.Append(' ');
            foreach (var child in current.Children)
            {
                sb.Append('(');
                AppendThread(sb, child);
                sb.Append(')');
            }
        }
    }
}
