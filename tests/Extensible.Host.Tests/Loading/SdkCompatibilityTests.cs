using Extensible.Hosting.Loading;

namespace Extensible.Host.Tests.Loading;

/// <summary>Which SDK versions a 1.2.3 host accepts: same major, minor not newer.</summary>
public sealed class SdkCompatibilityTests
{
    [Theory]
    [InlineData("1.2.3", true)]
    [InlineData("1.0.0", true)]
    [InlineData("1.2.9", true)]
    [InlineData("1.2", true)]
    [InlineData("1.2.0-preview.1", true)]
    [InlineData("1.3.0", false)]
    [InlineData("1.99.0", false)]
    [InlineData("2.0.0", false)]
    [InlineData("0.9.0", false)]
    [InlineData("banana", false)]
    public void AcceptsOnlyTheSameMajorWithAMinorNotNewer(string builtAgainst, bool accepted)
    {
        var reason = SdkCompatibility.Check(builtAgainst, "1.2.3");

        Assert.Equal(accepted, reason is null);
        if (reason is not null)
        {
            Assert.Contains(builtAgainst, reason, StringComparison.Ordinal);
        }
    }
}
