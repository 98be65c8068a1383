using Extensible.Sdk.Storage;

namespace Extensible.Storage.Messages;

/// <summary>IMAP keywords (flag atoms) as stored: distinct without case, case preserved, space-separated.</summary>
internal static class Keywords
{
    private const string Forbidden = "(){%*\"\\]";

    /// <summary>Validated, de-duplicated keywords; throws <see cref="StoreError.InvalidName"/> for a keyword that is not an atom.</summary>
    public static List<string> Validate(IEnumerable<string>? keywords)
    {
        var result = new List<string>();
        foreach (var keyword in keywords ?? [])
        {
            if (keyword.Length is 0 or > 128 || keyword.Any(c => c <= ' ' || c >= 127 || Forbidden.Contains(c, StringComparison.Ordinal)))
            {
                throw new StoreException(StoreError.InvalidName, "a keyword must be an IMAP atom of 1 to 128 characters");
            }

            if (!result.Contains(keyword, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(keyword);
            }
        }

        return result;
    }

    /// <summary>The stored form.</summary>
    public static string Join(IEnumerable<string> keywords) => string.Join(' ', keywords);

    /// <summary>Reads the stored form.</summary>
    public static List<string> Parse(string stored) => stored.Length == 0 ? [] : [.. stored.Split(' ')];

    /// <summary>Applies an update to a message's keywords.</summary>
    public static List<string> Apply(List<string> current, FlagOperation operation, IReadOnlyCollection<string> change) => operation switch
    {
        FlagOperation.Replace => [.. change],
        FlagOperation.Add => [.. current, .. change.Where(k => !current.Contains(k, StringComparer.OrdinalIgnoreCase))],
        _ => current.Where(k => !change.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList(),
    };
}
