namespace Extensible.Processing.Filtering;

/// <summary>Checks on header names and values filters hand in.</summary>
public static class HeaderNames
{
    /// <summary>Throws when <paramref name="name"/> is not an RFC 5322 field name (printable ASCII, no colon).</summary>
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var c in name)
        {
            if (c is <= ' ' or > '~' or ':')
            {
                throw new ArgumentException($"'{name}' is not a valid header field name.", nameof(name));
            }
        }
    }

    /// <summary>Turns line breaks into spaces, so a value cannot inject header lines.</summary>
    public static string Unfold(string value) =>
        value.Contains('\r') || value.Contains('\n')
            ? string.Join(' ', value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(part => part.Trim()))
            : value;
}
