using System.Composition;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;
using MimeKit;

namespace Extensible.Processing.Filters;

/// <summary>Refuses messages over the size limit (552 5.3.4) and attachments with forbidden extensions or over their size limit (552/554).</summary>
[Export(typeof(IMessageFilter))]
[method: ImportingConstructor]
public sealed class ContentPolicyFilter(PluginContext context) : IMessageFilter
{
    private const int MaxDepth = 10;

    /// <inheritdoc />
    public string Name => "content-policy";

    /// <inheritdoc />
    public int Order => 50;

    /// <inheritdoc />
    public async ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        var options = context.GetOptions<ProcessingFilterOptions>().Filters.ContentPolicy;
        if (!options.Enabled)
        {
            return await next(message);
        }

        if (options.MaxMessageSize > 0 && message.Content.Length > options.MaxMessageSize)
        {
            return FilterVerdict.Reject(552, "5.3.4", $"Message size exceeds the limit of {options.MaxMessageSize} bytes");
        }

        if (options.ForbiddenExtensions.Count > 0 || options.MaxAttachmentSize > 0)
        {
            var forbidden = new HashSet<string>(options.ForbiddenExtensions.Select(e => "." + e.Trim().TrimStart('.')), StringComparer.OrdinalIgnoreCase);
            var mime = await message.GetMimeMessageAsync(message.Cancellation);
            if (Check(mime, forbidden, options.MaxAttachmentSize, 0) is { } verdict)
            {
                return verdict;
            }
        }

        return await next(message);
    }

    private static FilterVerdict? Check(MimeMessage mime, HashSet<string> forbidden, long maxAttachment, int depth)
    {
        foreach (var entity in mime.BodyParts)
        {
            if (entity is MessagePart { Message: { } inner } && depth < MaxDepth && Check(inner, forbidden, maxAttachment, depth + 1) is { } nested)
            {
                return nested;
            }

            if (entity is not MimePart part)
            {
                continue;
            }

            var name = part.FileName;
            if (!string.IsNullOrEmpty(name) && forbidden.Contains(Path.GetExtension(name.Trim().TrimEnd('.'))))
            {
                return FilterVerdict.Reject(554, "5.7.1", $"Attachment type not allowed: {Path.GetFileName(name)}");
            }

            if (maxAttachment > 0 && part.IsAttachment && part.Content?.Stream is { CanSeek: true } stream && stream.Length > maxAttachment)
            {
                return FilterVerdict.Reject(552, "5.3.4", $"Attachment {Path.GetFileName(name)} exceeds the limit of {maxAttachment} bytes");
            }
        }

        return null;
    }
}
