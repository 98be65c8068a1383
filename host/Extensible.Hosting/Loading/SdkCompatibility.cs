using Extensible.Sdk;

namespace Extensible.Hosting.Loading;

/// <summary>Decides whether a plugin built against one SDK version can run on this host's SDK.</summary>
public static class SdkCompatibility
{
    /// <summary>Null when the plugin is accepted (same major, minor not newer than the host's); else the reason.</summary>
    /// <remarks>A newer patch is accepted: within a minor the SDK's API does not change, so such a plugin binds.</remarks>
    public static string? Check(string builtAgainst, string hostSdk = SdkInfo.Version)
    {
        if (!TryParse(builtAgainst, out var plugin))
        {
            return $"its SDK version '{builtAgainst}' is not a version number";
        }

        var host = Version.Parse(hostSdk);
        if (plugin.Major != host.Major)
        {
            return $"it was built against SDK {builtAgainst} (major {plugin.Major}), but this host runs SDK {hostSdk} (major {host.Major})";
        }

        return plugin.Minor > host.Minor
            ? $"it was built against SDK {builtAgainst}, a newer minor than this host's SDK {hostSdk}; upgrade the server"
            : null;
    }

    private static bool TryParse(string text, out Version version)
    {
        var core = text.Split('-', '+')[0];
        return Version.TryParse(core.Count(c => c == '.') == 0 ? core + ".0" : core, out version!);
    }
}
