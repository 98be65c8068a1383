using Extensible.Imap.Protocol;

namespace Extensible.Imap.Tests.Unit;

/// <summary>Mailbox names in modified UTF-7 (RFC 3501 5.1.3), with the RFC's own examples.</summary>
public sealed class ModifiedUtf7Tests
{
    [Theory]
    [InlineData("INBOX", "INBOX")]
    [InlineData("Tom & Jerry", "Tom &- Jerry")]
    [InlineData("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-")]
    [InlineData("Entwürfe", "Entw&APw-rfe")]
    [InlineData("€uro", "&IKw-uro")]
    [InlineData("😀", "&2D3eAA-")]
    [InlineData("a&b&", "a&-b&-")]
    public void EncodesAndDecodesBackExactly(string name, string encoded)
    {
        Assert.Equal(encoded, ModifiedUtf7.Encode(name));
        Assert.True(ModifiedUtf7.TryDecode(encoded, out var decoded));
        Assert.Equal(name, decoded);
    }

    [Theory]
    [InlineData("&Jjo")]          // unterminated
    [InlineData("&AGE-")]         // encodes plain ASCII 'a'
    [InlineData("&Jjo!-")]        // not in the base64 alphabet
    [InlineData("Entwürfe")]      // raw 8-bit
    public void RejectsMalformedNames(string text)
    {
        Assert.False(ModifiedUtf7.TryDecode(text, out _));
    }
}
