using System.Text.Json;
using System.Text.Json.Serialization;

namespace Extensible.Imap.Mime;

/// <summary>What FETCH needs about a message's MIME structure, computed once and cached in the store.</summary>
internal sealed class MessageInfo
{
    /// <summary>The cache key used with <c>IMessageFolder.SetCachedAsync</c>.</summary>
    public const string CacheKey = "imap.mime.v1";

    /// <summary>The ENVELOPE response text (ASCII, 8-bit names encoded).</summary>
    public string Envelope { get; set; } = "NIL";

    /// <summary>The BODYSTRUCTURE response text.</summary>
    public string BodyStructure { get; set; } = "NIL";

    /// <summary>The BODY (non-extensible) response text.</summary>
    public string Body { get; set; } = "NIL";

    /// <summary>The top-level entity's offsets.</summary>
    public MimePartInfo Root { get; set; } = new();

    /// <summary>Serializes for the cache.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, MessageInfoJson.Default.MessageInfo);

    /// <summary>Reads a cached value, or null when it is not readable.</summary>
    public static MessageInfo? FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, MessageInfoJson.Default.MessageInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Finds the entity a section part path (1-based numbers) names, or null when there is none.</summary>
    /// <remarks>Numbers step into multipart parts, and through a message/rfc822 part into its message's body (RFC 9051 6.4.5).</remarks>
    public MimePartInfo? Find(IReadOnlyList<int> path)
    {
        var current = Root;
        var atMessage = true;
        foreach (var n in path)
        {
            var entity = current;
            if (!atMessage)
            {
                if (current.Message is not null)
                {
                    entity = current.Message;
                    atMessage = true;
                }
                else if (!current.IsMultipart)
                {
                    return null;
                }
            }

            if (entity.IsMultipart)
            {
                if (n < 1 || n > entity.Parts.Count)
                {
                    return null;
                }

                current = entity.Parts[n - 1];
            }
            else if (n != 1 || !atMessage)
            {
                return null;
            }
            else
            {
                current = entity;
            }

            atMessage = false;
        }

        return current;
    }
}

/// <summary>Source-generated JSON for <see cref="MessageInfo"/>.</summary>
[JsonSerializable(typeof(MessageInfo))]
internal sealed partial class MessageInfoJson : JsonSerializerContext;
