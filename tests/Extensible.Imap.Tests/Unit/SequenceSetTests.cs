using Extensible.Imap.Protocol;

namespace Extensible.Imap.Tests.Unit;

/// <summary>Sequence sets (RFC 9051 9): '*', backward ranges, overlaps, formatting and rejects.</summary>
public sealed class SequenceSetTests
{
    [Theory]
    [InlineData("1", 10u, "1-1")]
    [InlineData("3:1", 10u, "1-3")]
    [InlineData("*", 10u, "10-10")]
    [InlineData("*:8", 10u, "8-10")]
    [InlineData("8:*", 5u, "5-8")]
    [InlineData("1,3:4,7:*", 9u, "1-1 3-4 7-9")]
    public void ResolvesStarAndBackwardRanges(string text, uint star, string expected)
    {
        var ranges = SequenceSet.Parse(text).Resolve(star).Select(r => $"{r.From}-{r.To}");
        Assert.Equal(expected, string.Join(' ', ranges));
    }

    [Theory]
    [InlineData("2:4,9", 3u, 10u, true)]
    [InlineData("2:4,9", 5u, 10u, false)]
    [InlineData("2:4,9", 9u, 10u, true)]
    [InlineData("5:*", 100u, 7u, false)]
    [InlineData("*", 7u, 7u, true)]
    [InlineData("*:3", 3u, 2u, true)]
    public void ContainsHonoursStar(string text, uint value, uint star, bool expected) =>
        Assert.Equal(expected, SequenceSet.Parse(text).Contains(value, star));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("1:0")]
    [InlineData("1,,2")]
    [InlineData("1:")]
    [InlineData(":3")]
    [InlineData("a")]
    [InlineData("1:2:3")]
    [InlineData("-1")]
    [InlineData("4294967296")]
    [InlineData("1 2")]
    public void RejectsMalformedSets(string text) => Assert.False(SequenceSet.TryParse(text, out _));

    [Fact]
    public void DollarIsTheSavedResult()
    {
        Assert.True(SequenceSet.Parse("$").IsSaved);
        Assert.False(SequenceSet.Parse("1:*").IsSaved);
        Assert.True(SequenceSet.Parse("1:*").HasStar);
    }

    [Theory]
    [InlineData(new uint[] { 1, 2, 3, 5, 7, 8 }, "1:3,5,7:8")]
    [InlineData(new uint[] { 4 }, "4")]
    [InlineData(new uint[] { 1, 3, 5 }, "1,3,5")]
    public void FormatsCompactly(uint[] values, string expected) => Assert.Equal(expected, SequenceSet.Format(values));
}
