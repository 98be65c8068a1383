namespace Extensible.Hosting.Loading;

/// <summary>What the catalog found in one plugin folder, loaded or not.</summary>
/// <param name="Folder">The folder's name under plugin-bin.</param>
/// <param name="Id">The service id, when the manifest could be read.</param>
/// <param name="Version">The plugin's own version.</param>
/// <param name="BuiltAgainstSdk">The SDK version it was compiled against.</param>
/// <param name="DisplayName">Its display name.</param>
/// <param name="Loaded">True when it loaded and passed the checks.</param>
/// <param name="Reason">Why it was refused, when it was.</param>
public sealed record PluginDescriptor(string Folder, string? Id, string? Version, string? BuiltAgainstSdk, string? DisplayName, bool Loaded, string? Reason);
