using Extensible.Sdk;

namespace Extensible.Hosting.Loading;

/// <summary>Decides whether a plugin built against one SDK version can run on this host's SDK.</summary>
public static class SdkCompatibility
{
    /// <summary>Null when the plugin is accepted: same major version, and not newer than the host's SDK; else the reason.</summary>
    public static string? Check(string builtAgainst, string hostSdk = SdkInfo.Version)
    {
        if (!TryParse(builtAgainst, out var plugin))
        {
            return $"its SDK version '{builtAgainst}' is not a version number";
        }

        var host = Version.Parse(hostSdk);
        if (plugin.Major != host.Major)
        {
            return $"it was built against SDK {builtAgainst} (major {plugin.Major}); this host runs SDK {hostSdk} (major {host.Major})";
        }

        return plugin > host
            ? $"it was built against SDK {builtAgainst}, newer than this host's SDK {hostSdk}"
            : null;
    }

    private static bool TryParse(string text, out Version version)
    {
        var core = text.Split('-', '+')[0];
        return Version.TryParse(core.Count(c => c == '.') == 0 ? core + ".0" : core, out version!);
    }
}
