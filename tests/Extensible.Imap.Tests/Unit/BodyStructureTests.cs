using System.Text;
using Extensible.Imap.Mime;

namespace Extensible.Imap.Tests.Unit;

/// <summary>BODYSTRUCTURE, BODY and part offsets (RFC 9051 7.5.2) for MIME shapes clients trip over.</summary>
public sealed class BodyStructureTests
{
    private static async Task<(MessageInfo Info, byte[] Bytes)> BuildAsync(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n"));
        using var stream = new MemoryStream(bytes);
        return (await MessageInfoBuilder.BuildAsync(stream, TestContext.Current.CancellationToken), bytes);
    }

    private static string Slice(byte[] bytes, long from, long to) => Encoding.UTF8.GetString(bytes, (int)from, (int)(to - from));

    [Fact]
    public async Task MessageWithoutContentTypeIsTextPlainUsAscii()
    {
        var (info, _) = await BuildAsync("Subject: x\n\nline one\nline two\n");
        Assert.Equal("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2 NIL NIL NIL NIL)", info.BodyStructure, ignoreCase: true);
        Assert.Equal("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2)", info.Body, ignoreCase: true);
    }

    [Fact]
    public async Task NestedAlternativeInsideMixedWithAttachment()
    {
        const string message = """
            From: a@example.test
            Subject: nested
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="outer"

            preamble
            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/plain; charset=utf-8

            plain
            --inner
            Content-Type: text/html; charset=utf-8
            Content-Transfer-Encoding: quoted-printable

            <p>html</p>
            --inner--
            --outer
            Content-Type: application/pdf; name="a.pdf"
            Content-Disposition: attachment; filename="a.pdf"
            Content-Transfer-Encoding: base64

            JVBERi0=
            --outer--
            epilogue

            """;
        var (info, bytes) = await BuildAsync(message);
        Assert.Equal(
            "(((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL)"
            + "(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 11 1 NIL NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"inner\") NIL NIL NIL)"
            + "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 8 NIL (\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) NIL NIL) \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)",
            info.BodyStructure,
            ignoreCase: true);
        Assert.Equal("plain", Slice(bytes, info.Find([1, 1])!.BodyStart, info.Find([1, 1])!.End));
        Assert.Equal("<p>html</p>", Slice(bytes, info.Find([1, 2])!.BodyStart, info.Find([1, 2])!.End));
        Assert.Equal("JVBERi0=", Slice(bytes, info.Find([2])!.BodyStart, info.Find([2])!.End));
        Assert.Null(info.Find([3]));
        Assert.Null(info.Find([1, 3]));
    }

    [Fact]
    public async Task EncapsulatedMessageCarriesEnvelopeBodyAndLines()
    {
        const string message = """
            From: outer@example.test
            Subject: fwd
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary=b

            --b
            Content-Type: text/plain

            see attached
            --b
            Content-Type: message/rfc822

            From: inner@example.test
            Subject: inner
            Message-ID: <i@x>

            inner body
            --b--

            """;
        var (info, bytes) = await BuildAsync(message);
        Assert.Contains("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" ", info.BodyStructure, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("(NIL \"inner\" ((NIL NIL \"inner\" \"example.test\")) ((NIL NIL \"inner\" \"example.test\")) ((NIL NIL \"inner\" \"example.test\")) NIL NIL NIL NIL \"<i@x>\")", info.BodyStructure, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL) 5 NIL NIL NIL NIL)", info.BodyStructure, StringComparison.OrdinalIgnoreCase);
        var inner = info.Find([2])!;
        Assert.StartsWith("From: inner@example.test", Slice(bytes, inner.BodyStart, inner.End), StringComparison.Ordinal);
        var innerText = info.Find([2, 1])!;
        Assert.Equal("inner body", Slice(bytes, innerText.BodyStart, innerText.End));
    }

    [Fact]
    public async Task EightBitHeadersAndEncodedWordsInEnvelope()
    {
        var (info, _) = await BuildAsync("From: =?utf-8?q?J=C3=BCrgen?= <j@example.test>\nSubject: caf\u00e9\nDate: Mon, 7 Jul 2026 10:00:00 +0000\n\nx\n");
        Assert.StartsWith("(\"Mon, 7 Jul 2026 10:00:00 +0000\" ", info.Envelope, StringComparison.Ordinal);
        // The 8-bit subject goes out as a literal; the encoded-word display name stays an (equivalent) encoded-word.
        Assert.Contains("{5}\r\ncafé ((\"=?utf-8?b?SsO8cmdlbg==?=\" NIL \"j\" \"example.test\"))", info.Envelope, StringComparison.Ordinal);
    }
}
