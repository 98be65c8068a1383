using System.Globalization;

namespace Extensible.Processing.Queue;

/// <summary>Formats and parses queue ids (upper-case hex of the record's row id).</summary>
public static class QueueIds
{
    /// <summary>The queue id for a row id.</summary>
    public static string Format(long id) => id.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>Parses a queue id; false when it is not one.</summary>
    public static bool TryParse(string text, out long id) =>
        long.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id) && id > 0;
}
