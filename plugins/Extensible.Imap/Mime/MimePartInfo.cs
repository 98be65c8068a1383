namespace Extensible.Imap.Mime;

/// <summary>Byte offsets of one MIME entity in a stored message, enough to serve any BODY[section] without parsing again.</summary>
internal sealed class MimePartInfo
{
    /// <summary>Offset of the entity's first header byte.</summary>
    public long HeaderStart { get; set; }

    /// <summary>Offset just past the blank line ending the headers: the body's first byte.</summary>
    public long BodyStart { get; set; }

    /// <summary>Offset just past the body's last byte (before the CRLF that precedes a boundary).</summary>
    public long End { get; set; }

    /// <summary>True for multipart/*.</summary>
    public bool IsMultipart { get; set; }

    /// <summary>The parts of a multipart, else empty.</summary>
    public List<MimePartInfo> Parts { get; set; } = [];

    /// <summary>For message/rfc822 (and message/global): the encapsulated message, else null.</summary>
    public MimePartInfo? Message { get; set; }

    /// <summary>The entity's decoded body size guess for BINARY.SIZE: the transfer encoding name (lower case) or null.</summary>
    public string? Encoding { get; set; }
}
