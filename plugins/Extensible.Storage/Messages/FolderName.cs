using System.Text;
using Extensible.Sdk.Storage;

namespace Extensible.Storage.Messages;

/// <summary>Folder paths are data: '/'-separated names without empty parts, '.'/'..' parts, NUL or control characters.</summary>
internal static class FolderName
{
    /// <summary>The path as stored (INBOX in upper case); throws <see cref="StoreException"/> with <see cref="StoreError.InvalidName"/> when invalid.</summary>
    public static string Normalize(string path)
    {
        if (string.IsNullOrEmpty(path) || path.Length > 1024)
        {
            throw Invalid("a folder name must have 1 to 1024 characters");
        }

        foreach (var rune in path.EnumerateRunes())
        {
            if (Rune.IsControl(rune) || rune == Rune.ReplacementChar || rune.Value is 0x2028 or 0x2029 or 0xFEFF)
            {
                throw Invalid("a folder name must not contain control characters");
            }
        }

        var parts = path.Split('/');
        foreach (var part in parts)
        {
            if (part.Length == 0 || part == "." || part == ".." || part.Length > 255 || part.Trim().Length == 0)
            {
                throw Invalid("a folder name must not have empty, '.' or '..' parts");
            }
        }

        if (string.Equals(parts[0], "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            parts[0] = "INBOX";
        }

        return string.Join('/', parts);
    }

    /// <summary>The key that makes paths unique (INBOX without case, everything else as written).</summary>
    public static string Key(string normalized) => normalized;

    /// <summary>True for INBOX.</summary>
    public static bool IsInbox(string normalized) => normalized == "INBOX";

    private static StoreException Invalid(string message) => new(StoreError.InvalidName, message);
}
