namespace Extensible.Sdk.Plugins;

/// <summary>Names the service an assembly provides; the compiler records the SDK version it was built against.</summary>
/// <param name="id">Stable service id used in config (<c>Services:&lt;id&gt;</c>), logs and metrics.</param>
/// <param name="builtAgainstSdk">SDK version at compile time; leave it out and the compiler fills it in.</param>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class MailPluginAttribute(string id, string builtAgainstSdk = SdkInfo.Version) : Attribute
{
    /// <summary>Stable service id used in config, logs and metrics.</summary>
    public string Id { get; } = id;

    /// <summary>SDK version when the plugin was compiled.</summary>
    public string BuiltAgainstSdk { get; } = builtAgainstSdk;

    /// <summary>Human-readable name shown by <c>extensible plugins list</c>.</summary>
    public string? DisplayName { get; set; }
}
