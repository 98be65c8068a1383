namespace Extensible.Imap;

/// <summary>Process-wide \Recent bookkeeping (RFC 3501 2.3.2): per folder, the highest UID some session has already been shown as recent.</summary>
/// <remarks>The first session to see a message with SELECT (or a later untagged EXISTS) claims it; the marks live in memory, so after a restart
/// every message is recent once more for the first session that selects its folder. Bounded: past <see cref="MaxFolders"/> folders the marks reset.</remarks>
internal sealed class RecentRegistry
{
    /// <summary>Most folders tracked before the marks are dropped.</summary>
    public const int MaxFolders = 200_000;

    private readonly Dictionary<(string Account, string Path, uint UidValidity), uint> _marks = [];
    private readonly Lock _lock = new();

    /// <summary>Claims every UID up to <paramref name="maxUid"/> and returns the previous mark: UIDs above it are recent for the caller.</summary>
    public uint Claim(string account, string path, uint uidValidity, uint maxUid)
    {
        lock (_lock)
        {
            var key = (account, path, uidValidity);
            _marks.TryGetValue(key, out var previous);
            if (maxUid > previous)
            {
                if (_marks.Count >= MaxFolders && previous == 0)
                {
                    _marks.Clear();
                }

                _marks[key] = maxUid;
            }

            return previous;
        }
    }

    /// <summary>The current mark without claiming anything (EXAMINE).</summary>
    public uint Peek(string account, string path, uint uidValidity)
    {
        lock (_lock)
        {
            return _marks.GetValueOrDefault((account, path, uidValidity));
        }
    }
}
