using Microsoft.Extensions.Configuration;

namespace Extensible.Hosting.Configuration;

/// <summary>The server's configuration: one optional JSON file, overridden by <c>EXTENSIBLE__Section__Key</c> environment variables.</summary>
public sealed class HostConfiguration
{
    private readonly IConfigurationRoot _root;

    private HostConfiguration(IConfigurationRoot root, string? path)
    {
        _root = root;
        ConfigPath = path;
        BaseDirectory = path is null ? Environment.CurrentDirectory : Path.GetDirectoryName(Path.GetFullPath(path))!;
    }

    /// <summary>The config file, or null when running on embedded defaults.</summary>
    public string? ConfigPath { get; }

    /// <summary>The folder relative paths in the config are taken from.</summary>
    public string BaseDirectory { get; }

    /// <summary>The merged configuration.</summary>
    public IConfiguration Root => _root;

    /// <summary>Loads the file (which must exist when given; JSON with comments) and the environment; throws <see cref="ConfigurationException"/> on unreadable JSON.</summary>
    public static HostConfiguration Load(string? path) => new(Build(path), path);

    /// <summary>Reads the file again (SIGHUP) and applies it only when it parses and validates; returns the errors that kept the previous values.</summary>
    public IReadOnlyList<string> Reload()
    {
        try
        {
            var candidate = new HostConfiguration(Build(ConfigPath), ConfigPath);
            var errors = ConfigValidator.Validate(candidate);
            if (errors.Count > 0)
            {
                return errors;
            }
        }
        catch (ConfigurationException ex)
        {
            return [ex.Message];
        }

        // The provider empties its data when a reload fails, so the file was checked above first.
        _root.Reload();
        return [];
    }

    private static IConfigurationRoot Build(string? path)
    {
        var builder = new ConfigurationBuilder();
        string? full = null;
        if (path is not null)
        {
            full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new ConfigurationException($"config file '{full}' does not exist");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables("EXTENSIBLE__");
        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            // The innermost message names the line and position (System.Text.Json's LineNumber/BytePositionInLine).
            var detail = ex.GetBaseException().Message;
            throw new ConfigurationException(ex is IOException or UnauthorizedAccessException
                ? $"config file '{full}' cannot be read: {detail}"
                : $"config file '{full}' is not valid JSON: {detail}", ex);
        }
    }

    /// <summary>The <c>Server</c> section with paths made absolute.</summary>
    public ServerOptions GetServer()
    {
        var server = _root.GetSection("Server").Get<ServerOptions>() ?? new ServerOptions();
        server.DataDirectory = Resolve(server.DataDirectory);
        // JSON null arrives as an empty string.
        server.PluginDirectory = string.IsNullOrEmpty(server.PluginDirectory) ? FindPluginDirectory() : Resolve(server.PluginDirectory);
        server.DefaultListenerAddress = string.IsNullOrEmpty(server.DefaultListenerAddress) ? null : server.DefaultListenerAddress;
        server.RunningServices = server.RunningServices is { Count: > 0 } ? server.RunningServices : null;
        server.Tls.Certificate = ResolveOptional(server.Tls.Certificate);
        server.Tls.PrivateKey = ResolveOptional(server.Tls.PrivateKey);
        return server;
    }

    /// <summary>The <c>Services:&lt;id&gt;</c> section as options (defaults when absent).</summary>
    public ServiceOptions GetService(string id)
    {
        var section = ServiceSection(id);
        var options = section.Get<ServiceOptions>() ?? new ServiceOptions();
        if (!section.GetSection("Listeners").Exists())
        {
            options.Listeners = null;
        }

        foreach (var listener in options.Listeners ?? [])
        {
            listener.Certificate = ResolveOptional(listener.Certificate);
            listener.PrivateKey = ResolveOptional(listener.PrivateKey);
        }

        return options;
    }

    /// <summary>The raw <c>Services:&lt;id&gt;</c> section.</summary>
    public IConfigurationSection ServiceSection(string id) => _root.GetSection("Services").GetSection(id);

    /// <summary>The global <c>Rules</c>.</summary>
    public List<RuleOptions> GetGlobalRules() => _root.GetSection("Rules").Get<List<RuleOptions>>() ?? [];

    /// <summary>Makes a config path absolute against <see cref="BaseDirectory"/>.</summary>
    public string Resolve(string path) => Path.GetFullPath(path, BaseDirectory);

    private string? ResolveOptional(string? path) => string.IsNullOrEmpty(path) ? null : Resolve(path);

    private string FindPluginDirectory()
    {
        var local = Path.Combine(BaseDirectory, "plugin-bin");
        if (Directory.Exists(local))
        {
            return local;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "plugin-bin");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return local;
    }
}
