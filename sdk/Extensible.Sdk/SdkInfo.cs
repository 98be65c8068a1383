namespace Extensible.Sdk;

/// <summary>Facts about this build of the SDK.</summary>
public static class SdkInfo
{
    /// <summary>The SDK's semantic version; a test keeps it equal to the package version in sdk/Directory.Build.props.</summary>
    public const string Version = "1.0.0";
}
