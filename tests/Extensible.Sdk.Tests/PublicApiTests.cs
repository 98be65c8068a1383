using System.Xml.Linq;
using Extensible.Sdk.Plugins;
using Extensible.Testing;
using PublicApiGenerator;

namespace Extensible.Sdk.Tests;

/// <summary>The SDK's public surface is a promise to every plugin: changes must be deliberate and versioned.</summary>
public sealed class PublicApiTests
{
    private static string ApprovedPath => Path.Combine(RepoPaths.Root, "tests", "Extensible.Sdk.Tests", "Extensible.Sdk.approved.txt");

    [Fact]
    public void PublicApiMatchesTheApprovedFile()
    {
        var api = typeof(IMailPlugin).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute"] })
            .ReplaceLineEndings("\n");
        var approved = File.Exists(ApprovedPath) ? File.ReadAllText(ApprovedPath).ReplaceLineEndings("\n") : "";

        if (api != approved)
        {
            // Leave the new surface beside the approved file: review it, then rename it over the approved one.
            File.WriteAllText(ApprovedPath.Replace(".approved.txt", ".received.txt", StringComparison.Ordinal), api);
        }

        Assert.Equal(approved, api);
    }

    [Fact]
    public void SdkInfoVersionEqualsThePackageVersion()
    {
        var props = XDocument.Load(Path.Combine(RepoPaths.Root, "sdk", "Directory.Build.props"));
        var version = props.Descendants("Version").Single().Value;

        Assert.Equal(SdkInfo.Version, version);
        Assert.Equal(version, new MailPluginAttribute("x").BuiltAgainstSdk);
    }

    [Fact]
    public void AssemblyVersionMovesOnlyWithTheMajor()
    {
        var version = typeof(SdkInfo).Assembly.GetName().Version!;

        Assert.Equal(new Version(Version.Parse(SdkInfo.Version).Major, 0, 0, 0), version);
    }
}
