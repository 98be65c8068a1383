using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace Extensible.Imap.Mime;

/// <summary>Parses a stored message with MimeKit and builds ENVELOPE, BODY, BODYSTRUCTURE and the part offsets.</summary>
internal static class MessageInfoBuilder
{
    private sealed record Extent(long Begin, long HeadersEnd, long End, int Lines);

    /// <summary>Builds the message's info from its bytes (the stream must be seekable and at offset 0).</summary>
    public static async Task<MessageInfo> BuildAsync(Stream content, CancellationToken cancellationToken)
    {
        var extents = new Dictionary<MimeEntity, Extent>(ReferenceEqualityComparer.Instance);
        var begins = new Dictionary<MimeEntity, long>(ReferenceEqualityComparer.Instance);
        var parser = new MimeParser(content, MimeFormat.Entity, persistent: false);
        parser.MimeEntityBegin += (_, e) => begins[e.Entity] = e.BeginOffset;
        parser.MimeEntityEnd += (_, e) => extents[e.Entity] = new Extent(begins.GetValueOrDefault(e.Entity), e.HeadersEndOffset, e.EndOffset, e.Lines);
        MimeMessage message;
        try
        {
            message = await parser.ParseMessageAsync(cancellationToken);
        }
        catch (FormatException)
        {
            // Content without a parseable header block (appended or delivered garbage) is all body, with no header fields.
            message = new MimeMessage { Body = new TextPart("plain") };
            message.Headers.Clear();
            extents.Clear();
            extents[message.Body] = new Extent(0, 0, content.Length, 0);
        }

        var info = new MessageInfo
        {
            Envelope = BuildEnvelope(message),
            Root = BuildParts(message.Body ?? new TextPart("plain"), extents),
        };
        var body = message.Body ?? new TextPart("plain");
        info.BodyStructure = new StringBuilder().AppendBody(body, extents, extended: true).ToString();
        info.Body = new StringBuilder().AppendBody(body, extents, extended: false).ToString();
        return info;
    }

    private static MimePartInfo BuildParts(MimeEntity entity, Dictionary<MimeEntity, Extent> extents)
    {
        var extent = extents.GetValueOrDefault(entity) ?? new Extent(0, 0, 0, 0);
        var node = new MimePartInfo { HeaderStart = extent.Begin, BodyStart = extent.HeadersEnd, End = extent.End };
        switch (entity)
        {
            case Multipart multipart:
                node.IsMultipart = true;
                foreach (var child in multipart)
                {
                    node.Parts.Add(BuildParts(child, extents));
                }

                break;
            case MessagePart { Message: { } inner }:
                node.Message = BuildParts(inner.Body ?? new TextPart("plain"), extents);
                break;
            case MimePart part:
                node.Encoding = part.Headers[HeaderId.ContentTransferEncoding]?.Trim().ToLowerInvariant();
                break;
        }

        return node;
    }

    /// <summary>Builds the ENVELOPE text of a message (RFC 9051 7.5.2).</summary>
    public static string BuildEnvelope(MimeMessage message)
    {
        var sb = new StringBuilder(256).Append('(');
        var headers = message.Headers;
        sb.AppendNString(Raw(headers, HeaderId.Date)).Append(' ');
        sb.AppendNString(Raw(headers, HeaderId.Subject)).Append(' ');
        var from = Raw(headers, HeaderId.From);
        AppendAddresses(sb, from).Append(' ');
        AppendAddresses(sb, Raw(headers, HeaderId.Sender) ?? from).Append(' ');
        AppendAddresses(sb, Raw(headers, HeaderId.ReplyTo) ?? from).Append(' ');
        AppendAddresses(sb, Raw(headers, HeaderId.To)).Append(' ');
        AppendAddresses(sb, Raw(headers, HeaderId.Cc)).Append(' ');
        AppendAddresses(sb, Raw(headers, HeaderId.Bcc)).Append(' ');
        sb.AppendNString(Raw(headers, HeaderId.InReplyTo)).Append(' ');
        sb.AppendNString(Raw(headers, HeaderId.MessageId));
        return sb.Append(')').ToString();
    }

    /// <summary>The header's raw value unfolded and trimmed, or null when absent.</summary>
    private static string? Raw(HeaderList headers, HeaderId id)
    {
        var index = headers.IndexOf(id);
        if (index < 0)
        {
            return null;
        }

        var raw = headers[index].RawValue;
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            text = Encoding.Latin1.GetString(raw);
        }

        return text.Replace("\r\n", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Trim();
    }

    private static StringBuilder AppendAddresses(StringBuilder sb, string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || !InternetAddressList.TryParse(raw, out var list) || list.Count == 0)
        {
            return sb.Append("NIL");
        }

        sb.Append('(');
        foreach (var address in list)
        {
            AppendAddress(sb, address);
        }

        return sb.Append(')');
    }

    private static void AppendAddress(StringBuilder sb, InternetAddress address)
    {
        switch (address)
        {
            case MailboxAddress mailbox:
                sb.Append('(').AppendNString(EncodeName(mailbox.Name)).Append(" NIL ");
                var at = mailbox.Address.LastIndexOf('@');
                if (at < 0)
                {
                    sb.AppendNString(mailbox.Address).Append(" NIL)");
                }
                else
                {
                    sb.AppendNString(mailbox.LocalPart).Append(' ').AppendNString(mailbox.Domain).Append(')');
                }

                break;
            case GroupAddress group:
                sb.Append("(NIL NIL ").AppendNString(group.Name).Append(" NIL)");
                foreach (var member in group.Members)
                {
                    AppendAddress(sb, member);
                }

                sb.Append("(NIL NIL NIL NIL)");
                break;
        }
    }

    private static string? EncodeName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        foreach (var c in name)
        {
            if (c > 0x7e)
            {
                return Encoding.ASCII.GetString(Rfc2047.EncodePhrase(Encoding.UTF8, name));
            }
        }

        return name;
    }

    private static StringBuilder AppendBody(this StringBuilder sb, MimeEntity entity, Dictionary<MimeEntity, Extent> extents, bool extended)
    {
        var extent = extents.GetValueOrDefault(entity) ?? new Extent(0, 0, 0, 0);
        var type = entity.ContentType;
        sb.Append('(');
        if (entity is Multipart multipart)
        {
            if (multipart.Count == 0)
            {
                // An empty multipart has no body-type-1part; describe it as an empty text part so the grammar holds.
                sb.Append("\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0");
            }

            foreach (var child in multipart)
            {
                sb.AppendBody(child, extents, extended);
            }

            sb.Append(' ').AppendNString(type.MediaSubtype.ToLowerInvariant());
            if (extended)
            {
                sb.Append(' ');
                AppendParameters(sb, type.Parameters, null);
                sb.Append(' ');
                AppendExtension(sb, entity);
            }

            return sb.Append(')');
        }

        var isText = type.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase);
        sb.AppendNString(type.MediaType.ToLowerInvariant()).Append(' ').AppendNString(type.MediaSubtype.ToLowerInvariant()).Append(' ');
        AppendParameters(sb, type.Parameters, isText ? "us-ascii" : null);
        sb.Append(' ').AppendNString(Trimmed(entity.Headers[HeaderId.ContentId]));
        sb.Append(' ').AppendNString(Trimmed(entity.Headers[HeaderId.ContentDescription]));
        var encoding = Trimmed(entity.Headers[HeaderId.ContentTransferEncoding]) ?? "7bit";
        sb.Append(' ').AppendNString(encoding);
        sb.Append(' ').Append((extent.End - extent.HeadersEnd).ToString(CultureInfo.InvariantCulture));
        if (entity is MessagePart { Message: { } inner } && IsRfc822(type))
        {
            sb.Append(' ').Append(BuildEnvelope(inner)).Append(' ');
            sb.AppendBody(inner.Body ?? new TextPart("plain"), extents, extended);
            sb.Append(' ').Append(extent.Lines.ToString(CultureInfo.InvariantCulture));
        }
        else if (isText)
        {
            sb.Append(' ').Append(extent.Lines.ToString(CultureInfo.InvariantCulture));
        }

        if (extended)
        {
            sb.Append(' ').AppendNString(Trimmed(entity.Headers[HeaderId.ContentMd5])).Append(' ');
            AppendExtension(sb, entity);
        }

        return sb.Append(')');
    }

    private static bool IsRfc822(ContentType type) =>
        type.MediaType.Equals("message", StringComparison.OrdinalIgnoreCase)
        && (type.MediaSubtype.Equals("rfc822", StringComparison.OrdinalIgnoreCase) || type.MediaSubtype.Equals("global", StringComparison.OrdinalIgnoreCase));

    private static void AppendExtension(StringBuilder sb, MimeEntity entity)
    {
        var disposition = entity.ContentDisposition;
        if (disposition is null)
        {
            sb.Append("NIL");
        }
        else
        {
            sb.Append('(').AppendNString(disposition.Disposition.ToLowerInvariant()).Append(' ');
            AppendParameters(sb, disposition.Parameters, null);
            sb.Append(')');
        }

        var language = Trimmed(entity.Headers[HeaderId.ContentLanguage]);
        sb.Append(' ');
        if (language is null)
        {
            sb.Append("NIL");
        }
        else
        {
            var tags = language.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (tags.Length == 1)
            {
                sb.AppendNString(tags[0]);
            }
            else
            {
                sb.Append('(');
                for (var i = 0; i < tags.Length; i++)
                {
                    sb.Append(i == 0 ? string.Empty : " ").AppendNString(tags[i]);
                }

                sb.Append(')');
            }
        }

        sb.Append(' ').AppendNString(Trimmed(entity.Headers[HeaderId.ContentLocation]));
    }

    private static void AppendParameters(StringBuilder sb, ParameterList parameters, string? defaultCharset)
    {
        if (parameters.Count == 0 && defaultCharset is null)
        {
            sb.Append("NIL");
            return;
        }

        sb.Append('(');
        var first = true;
        if (defaultCharset is not null && !parameters.Contains("charset"))
        {
            sb.Append("\"charset\" ").AppendNString(defaultCharset);
            first = false;
        }

        foreach (var parameter in parameters)
        {
            if (!first)
            {
                sb.Append(' ');
            }

            first = false;
            sb.AppendNString(parameter.Name.ToLowerInvariant()).Append(' ').AppendNString(parameter.Value);
        }

        sb.Append(')');
    }

    private static string? Trimmed(string? value)
    {
        if (value is null)
        {
            return null;
        }

        value = value.Trim();
        return value.Length == 0 ? null : value;
    }
}
