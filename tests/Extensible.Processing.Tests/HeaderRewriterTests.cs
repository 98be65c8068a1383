using System.Text;
using Extensible.Processing.Delivery;
using Extensible.Processing.Queue;

namespace Extensible.Processing.Tests;

public sealed class HeaderRewriterTests
{
    private static async Task<string> RewriteAsync(string message, params HeaderEdit[] edits)
    {
        await using var stream = await HeaderRewriter.ApplyAsync(new MemoryStream(Encoding.ASCII.GetBytes(message)), edits, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Prepends_newest_on_top_and_removes_folded_fields_without_touching_the_body()
    {
        const string original = "Received: from a\r\n\tby b\r\nX-Spam: yes\r\n  folded\r\nSubject: hi\r\n\r\nX-Spam: body line stays\r\n";
        var result = await RewriteAsync(original,
            new HeaderEdit("Authentication-Results", "mx; spf=pass"),
            new HeaderEdit("x-spam", null),
            new HeaderEdit("X-Spam-Level", "***"));
        Assert.Equal(
            "X-Spam-Level: ***\r\nAuthentication-Results: mx; spf=pass\r\nReceived: from a\r\n\tby b\r\nSubject: hi\r\n\r\nX-Spam: body line stays\r\n",
            result);
    }

    [Fact]
    public async Task A_removal_after_a_prepend_of_the_same_name_drops_both()
    {
        var result = await RewriteAsync("X-Tag: old\r\nSubject: s\r\n\r\nbody", new HeaderEdit("X-Tag", "new"), new HeaderEdit("X-Tag", null));
        Assert.Equal("Subject: s\r\n\r\nbody", result);
    }

    [Fact]
    public async Task Without_edits_the_content_is_unchanged()
    {
        const string original = "Subject: s\r\n\r\nbody\r\n";
        Assert.Equal(original, await RewriteAsync(original));
    }
}
