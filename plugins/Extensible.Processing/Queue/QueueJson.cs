using System.Text.Json;
using System.Text.Json.Serialization;

namespace Extensible.Processing.Queue;

/// <summary>JSON settings for the queue record's columns.</summary>
public static class QueueJson
{
    /// <summary>Compact, enums as names so records stay readable with the sqlite3 tool.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) where T : class =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException("Empty queue record column.");
}
