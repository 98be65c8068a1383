using System.Text;
using Extensible.Processing.Filters;
using Extensible.Processing.Tests.Filters.Support;
using Extensible.Sdk.Messages;

namespace Extensible.Processing.Tests.Filters;

/// <summary>The spamd filter against Debian's real spamd (offline rules), and its reply parser.</summary>
public sealed class SpamdTests
{
    private const string Gtube = "XJS*C4JDBQADN1.NSBESC-JSUI-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] Ham => Encoding.ASCII.GetBytes(
        "From: Alice <alice@sender.test>\r\nTo: Bob <bob@example.test>\r\nSubject: lunch tomorrow\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\n" +
        "Message-ID: <ham1@sender.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" +
        "Hi Bob,\r\n\r\nshall we meet for lunch tomorrow at noon near the office?\r\n\r\nAlice\r\n");

    private static byte[] Spam => Encoding.ASCII.GetBytes($"Subject: buy now\r\n\r\n{Gtube}\r\n");

    [Fact]
    public async Task ScoresWithTheRealSpamdAndActsOnSpam()
    {
        if (SpamdProcess.Executable is null)
        {
            Assert.Skip("spamd is not installed (apt-get install spamd)");
        }

        await using var spamd = await SpamdProcess.StartAsync(Token);
        using var tagging = new FilterPluginContext(new BuiltInFilterOptions { Spamd = { Enabled = true, Address = spamd.Address, TimeoutSeconds = 60 } });
        using var rejecting = new FilterPluginContext(new BuiltInFilterOptions { Spamd = { Enabled = true, Address = spamd.Address, TimeoutSeconds = 60, ActionOnMatch = MatchAction.Reject } });
        using var ham = new FilterTestMessage(Ham);
        using var tagged = new FilterTestMessage(Spam);
        using var refused = new FilterTestMessage(Spam);

        var hamVerdict = await new SpamdFilter(tagging).InvokeAsync(ham, ham.Next);
        var taggedVerdict = await new SpamdFilter(tagging).InvokeAsync(tagged, tagged.Next);
        var refusedVerdict = await new SpamdFilter(rejecting).InvokeAsync(refused, refused.Next);

        Assert.IsType<FilterVerdict.Accepted>(hamVerdict);
        Assert.Equal("NO", ham.Header("X-Spam-Flag"));
        Assert.IsType<FilterVerdict.Accepted>(taggedVerdict);
        Assert.Equal("YES", tagged.Header("X-Spam-Flag"));
        Assert.StartsWith("Yes, score=", tagged.Header("X-Spam-Status"), StringComparison.Ordinal);
        Assert.True((double)tagged.Items["spam-score"]! >= 5);
        Assert.Equal(550, Assert.IsType<FilterVerdict.Rejected>(refusedVerdict).Code);
    }

    [Fact]
    public void ParsesSpamdReplies()
    {
        var spam = SpamReport.Parse("SPAMD/1.1 0 EX_OK\r\nContent-length: 11\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,NO_RELAYS");
        var ham = SpamReport.Parse("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -0.5 / 5.0\r\n\r\n");

        Assert.Equal(new SpamReport(true, 1000, 5, "GTUBE,NO_RELAYS"), spam);
        Assert.Equal(new SpamReport(false, -0.5, 5, "none"), ham);
        Assert.Throws<IOException>(() => SpamReport.Parse("SPAMD/1.0 76 Bad header line: x"));
        Assert.Throws<IOException>(() => SpamReport.Parse("SPAMD/1.1 0 EX_OK\r\nSpam: True ; lots\r\n\r\n"));
    }
}
