using System.Text;
using Extensible.Processing.Filters;
using Extensible.Processing.Tests.Filters.Support;
using Extensible.Sdk.Messages;

namespace Extensible.Processing.Tests.Filters;

public sealed class ContentPolicyTests
{
    private static byte[] WithAttachment(string fileName, int size = 100, bool nested = false)
    {
        var attachment = $"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"{fileName}\"\r\n" +
            $"Content-Transfer-Encoding: base64\r\n\r\n{Convert.ToBase64String(new byte[size], Base64FormattingOptions.InsertLineBreaks)}\r\n";
        var inner = $"From: <x@sender.test>\r\nSubject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
            $"--b\r\nContent-Type: text/plain\r\n\r\ntext\r\n{attachment}--b--\r\n";
        var outer = nested
            ? "From: <a@sender.test>\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n" +
              "--o\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "--o--\r\n"
            : inner;
        return Encoding.ASCII.GetBytes(outer);
    }

    private static async Task<FilterVerdict> RunAsync(ContentPolicyOptions policy, byte[] content)
    {
        policy.Enabled = true;
        using var context = new FilterPluginContext(new BuiltInFilterOptions { ContentPolicy = policy });
        using var message = new FilterTestMessage(content);
        return await new ContentPolicyFilter(context).InvokeAsync(message, message.Next);
    }

    [Fact]
    public async Task RefusesMessagesOverTheSizeLimit()
    {
        var verdict = await RunAsync(new ContentPolicyOptions { MaxMessageSize = 500 }, WithAttachment("a.pdf", 2000));
        var small = await RunAsync(new ContentPolicyOptions { MaxMessageSize = 5000 }, WithAttachment("a.pdf", 200));

        var rejected = Assert.IsType<FilterVerdict.Rejected>(verdict);
        Assert.Equal((552, "5.3.4"), (rejected.Code, rejected.EnhancedCode));
        Assert.IsType<FilterVerdict.Accepted>(small);
    }

    [Theory]
    [InlineData("setup.EXE", false, true)]
    [InlineData("invoice.pdf.exe", true, true)]
    [InlineData("script.js", false, true)]
    [InlineData("report.pdf", true, false)]
    public async Task RefusesForbiddenAttachmentTypesEvenInForwardedMessages(string fileName, bool nested, bool refused)
    {
        var verdict = await RunAsync(new ContentPolicyOptions { ForbiddenExtensions = ["exe", ".js"] }, WithAttachment(fileName, nested: nested));

        if (refused)
        {
            var rejected = Assert.IsType<FilterVerdict.Rejected>(verdict);
            Assert.Equal((554, "5.7.1"), (rejected.Code, rejected.EnhancedCode));
            Assert.Contains(fileName, rejected.Text, StringComparison.Ordinal);
        }
        else
        {
            Assert.IsType<FilterVerdict.Accepted>(verdict);
        }
    }

    [Fact]
    public async Task RefusesAttachmentsOverTheirOwnLimit()
    {
        var verdict = await RunAsync(new ContentPolicyOptions { MaxAttachmentSize = 1000 }, WithAttachment("big.bin", 5000));

        Assert.Equal(552, Assert.IsType<FilterVerdict.Rejected>(verdict).Code);
    }
}
