using System.Text;
using Extensible.Imap.Protocol;
using Extensible.Imap.Search;
using MimeKit;

namespace Extensible.Imap;

/// <summary>THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256, with dummy parents and subject grouping).</summary>
internal sealed partial class ImapSession
{
    private sealed class ThreadNode(uint id, DateTimeOffset date)
    {
        public uint Id { get; private set; } = id;

        public DateTimeOffset Date { get; private set; } = date;

        /// <summary>True for a container of a Message-ID that no listed message has (RFC 5256 dummy).</summary>
        public bool IsDummy { get; set; }

        public List<ThreadNode> Children { get; } = [];

        public ThreadNode? Parent { get; set; }

        /// <summary>Lets a message take over a dummy's place: copies nothing, the caller relinks the dummy's children.</summary>
        public void Become(ThreadNode message)
        {
            if (message != this && IsDummy && Parent is { } parent)
            {
                parent.Children.Remove(this);
                Parent = null;
                message.Parent?.Children.Remove(message);
                message.Parent = parent;
                parent.Children.Add(message);
            }
        }
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

    /// <summary>RFC 5256 REFERENCES: link by Message-ID/References/In-Reply-To with dummy containers, prune, group roots by base subject, sort by date.</summary>
    private static List<ThreadNode> References(List<(ThreadNode Node, MimeMessage? Headers)> nodes)
    {
        // Step 1: one container per Message-ID; messages without one (or with a duplicate one) get a container of their own.
        var table = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        var subjects = new Dictionary<ThreadNode, string?>();
        var unique = 0;
        ThreadNode Container(string id)
        {
            if (!table.TryGetValue(id, out var c))
            {
                c = new ThreadNode(0, DateTimeOffset.MinValue) { IsDummy = true };
                table[id] = c;
            }

            return c;
        }

        foreach (var (node, headers) in nodes)
        {
            subjects[node] = headers?.Subject;
            var id = headers?.MessageId;
            if (string.IsNullOrEmpty(id) || (table.TryGetValue(id, out var existing) && !existing.IsDummy))
            {
                id = "\0unique" + unique++;
            }

            var container = Container(id);
            container.Become(node);
            table[id] = node;
            foreach (var child in container.Children.ToList())
            {
                child.Parent = null;
                Link(node, child);
            }

            var references = new List<string>();
            if (headers is not null)
            {
                references.AddRange(headers.References);
                if (references.Count == 0 && headers.InReplyTo is { Length: > 0 } inReplyTo)
                {
                    references.Add(inReplyTo);
                }
            }

            // Step 1B: link the references in order, never creating a loop and never re-parenting an existing link.
            ThreadNode? previous = null;
            foreach (var reference in references)
            {
                var current = Container(reference);
                if (previous is not null && current.Parent is null && current != previous && !IsAncestor(current, previous))
                {
                    Link(previous, current);
                }

                previous = current;
            }

            // Step 1C: the last reference is the message's parent, replacing any parent it had.
            if (node.Parent is { } old)
            {
                old.Children.Remove(node);
                node.Parent = null;
            }

            if (previous is not null && previous != node && !IsAncestor(node, previous))
            {
                Link(previous, node);
            }
        }

        // Step 2 and 3: the root set, with empty dummies dropped and dummies' children promoted unless a dummy root keeps several.
        var roots = Prune([.. table.Values.Distinct().Where(c => c.Parent is null)], isRoot: true);

        // Step 4: sort siblings by date (a dummy by its first child's date), everywhere.
        SortByDate(roots);

        // Step 5: gather roots whose base subjects match (RFC 5256 REFERENCES step 5).
        string? SubjectOf(ThreadNode n) => n.IsDummy ? (n.Children.Count > 0 ? SubjectOf(n.Children[0]) : null) : subjects.GetValueOrDefault(n);
        var bySubject = new Dictionary<string, ThreadNode>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            var subject = BaseSubject(SubjectOf(root));
            if (subject.Length == 0)
            {
                continue;
            }

            if (!bySubject.TryGetValue(subject, out var held)
                || (!root.IsDummy && held.IsDummy is false && IsReply(SubjectOf(held)) && !IsReply(SubjectOf(root))))
            {
                bySubject[subject] = root;
            }
            else if (!held.IsDummy && root.IsDummy)
            {
                bySubject[subject] = root;
            }
        }

        var result = new List<ThreadNode>();
        foreach (var root in roots)
        {
            var subject = BaseSubject(SubjectOf(root));
            if (subject.Length == 0 || !bySubject.TryGetValue(subject, out var held) || held == root)
            {
                result.Add(root);
                continue;
            }

            if (held.IsDummy && root.IsDummy)
            {
                foreach (var child in root.Children.ToList())
                {
                    Link(held, child);
                }

                root.Children.Clear();
            }
            else if (held.IsDummy)
            {
                Link(held, root);
            }
            else if (root.IsDummy)
            {
                // Keep the dummy: it takes the held message's place below it.
                Link(root, held);
                bySubject[subject] = root;
                var index = result.IndexOf(held);
                if (index >= 0)
                {
                    result[index] = root;
                }
                else
                {
                    result.Add(root);
                }
            }
            else if (!IsReply(SubjectOf(held)) && IsReply(SubjectOf(root)))
            {
                Link(held, root);
            }
            else
            {
                // Neither is a reply to the other: a new dummy holds both.
                var dummy = new ThreadNode(0, DateTimeOffset.MinValue) { IsDummy = true };
                var index = result.IndexOf(held);
                Link(dummy, held);
                Link(dummy, root);
                bySubject[subject] = dummy;
                if (index >= 0)
                {
                    result[index] = dummy;
                }
                else
                {
                    result.Add(dummy);
                }
            }
        }

        // Step 6: sort again now that threads were merged.
        SortByDate(result);
        return result;
    }

    private static void Link(ThreadNode parent, ThreadNode child)
    {
        child.Parent?.Children.Remove(child);
        child.Parent = parent;
        parent.Children.Add(child);
    }

    private static List<ThreadNode> Prune(List<ThreadNode> siblings, bool isRoot)
    {
        var result = new List<ThreadNode>();
        foreach (var node in siblings)
        {
            var children = Prune([.. node.Children], isRoot: false);
            node.Children.Clear();
            foreach (var child in children)
            {
                child.Parent = node;
                node.Children.Add(child);
            }

            if (!node.IsDummy)
            {
                result.Add(node);
            }
            else if (node.Children.Count == 0)
            {
                continue;
            }
            else if (isRoot && node.Children.Count > 1)
            {
                result.Add(node);
            }
            else
            {
                foreach (var child in node.Children)
                {
                    child.Parent = isRoot ? null : node.Parent;
                    result.Add(child);
                }

                node.Children.Clear();
            }
        }

        return result;
    }

    private static DateTimeOffset SortDate(ThreadNode n) => n.IsDummy && n.Children.Count > 0 ? SortDate(n.Children[0]) : n.Date;

    private static uint SortId(ThreadNode n) => n.IsDummy && n.Children.Count > 0 ? SortId(n.Children[0]) : n.Id;

    private static void SortByDate(List<ThreadNode> siblings)
    {
        foreach (var n in siblings)
        {
            SortByDate(n.Children);
        }

        siblings.Sort((a, b) => SortDate(a) != SortDate(b) ? SortDate(a).CompareTo(SortDate(b)) : SortId(a).CompareTo(SortId(b)));
    }

    /// <summary>True when extracting the base subject removes a reply or forward marker (RFC 5256 2.1: "re:", "fw:", "fwd:", "[fwd: ...]", "(fwd)").</summary>
    private static bool IsReply(string? subject) => ReplyMarker().IsMatch(subject ?? string.Empty);

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(\[[^\[\]]*\]\s*)*((re|fwd?)\s*(\[[^\[\]]*\])?\s*:|\[fwd:)|\(fwd\)\s*$", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ReplyMarker();

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
        if (current.IsDummy)
        {
            foreach (var child in current.Children)
            {
                sb.Append('(');
                AppendThread(sb, child);
                sb.Append(')');
            }

            return;
        }

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
