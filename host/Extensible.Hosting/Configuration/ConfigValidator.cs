using System.Net;
using Extensible.Hosting.Networking;
using Microsoft.Extensions.Configuration;

namespace Extensible.Hosting.Configuration;

/// <summary>Checks a configuration and names every mistake with its JSON path (<c>Services:imap:Listeners:0:Address</c>).</summary>
public static class ConfigValidator
{
    private static readonly string[] TopLevel = ["Server", "Logging", "Dnr", "Rules", "Services"];

    /// <summary>Every error found; empty when the configuration is usable.</summary>
    public static IReadOnlyList<string> Validate(HostConfiguration configuration)
    {
        var errors = new List<string>();
        var root = configuration.Root;
        if (configuration.ConfigPath is not null)
        {
            foreach (var section in root.GetChildren())
            {
                if (!TopLevel.Contains(section.Key, StringComparer.OrdinalIgnoreCase) && !section.Key.StartsWith('_'))
                {
                    errors.Add($"{section.Key}: unknown section (expected one of {string.Join(", ", TopLevel)})");
                }
            }
        }

        Bind<ServerOptions>(root.GetSection("Server"), errors);
        Bind<Logging.LoggingOptions>(root.GetSection("Logging"), errors);
        var dnr = Bind<Dns.DnrOptions>(root.GetSection("Dnr"), errors);
        if (dnr is not null)
        {
            for (var i = 0; i < dnr.NameServers.Count; i++)
            {
                if (!IPEndPoint.TryParse(dnr.NameServers[i].Address, out _))
                {
                    errors.Add($"Dnr:NameServers:{i}:Address: '{dnr.NameServers[i].Address}' is not an IP address with an optional port");
                }
            }

            if (dnr.TimeoutSeconds < 1)
            {
                errors.Add("Dnr:TimeoutSeconds: must be at least 1");
            }

            if (dnr.Retries < 0)
            {
                errors.Add("Dnr:Retries: must not be negative");
            }
        }

        var server = Bind<ServerOptions>(root.GetSection("Server"), []);
        if (server is not null)
        {
            CheckPem("Server:Tls", server.Tls.Certificate, server.Tls.PrivateKey, configuration, errors);
        }

        ValidateRules("Rules", root.GetSection("Rules"), errors);
        foreach (var service in root.GetSection("Services").GetChildren())
        {
            var path = $"Services:{service.Key}";
            var options = Bind<ServiceOptions>(service, errors, path);
            if (options is null)
            {
                continue;
            }

            if (options.Threads.MinThreads is < 0 || options.Threads.MaxThreads is < 1 || options.Threads.MinThreads > options.Threads.MaxThreads)
            {
                errors.Add($"{path}:Threads: need 0 <= MinThreads <= MaxThreads and MaxThreads >= 1");
            }

            if (options.MaxErrors < 1 || options.MaxAuthErrors < 1)
            {
                errors.Add($"{path}: MaxErrors and MaxAuthErrors must be at least 1");
            }

            ValidateRules($"{path}:Rules", service.GetSection("Rules"), errors);
            var listeners = service.GetSection("Listeners").GetChildren().ToList();
            for (var i = 0; i < listeners.Count; i++)
            {
                var listenerPath = $"{path}:Listeners:{i}";
                var listener = Bind<ListenerOptions>(listeners[i], errors, listenerPath);
                if (listener is null)
                {
                    continue;
                }

                if (string.IsNullOrWhiteSpace(listener.Name))
                {
                    errors.Add($"{listenerPath}:Name: required");
                }

                try
                {
                    SocketListener.ParseAddress(listener.Address);
                }
                catch (ConfigurationException ex)
                {
                    errors.Add($"{listenerPath}:Address: {ex.Message}");
                }

                CheckPem(listenerPath, listener.Certificate, listener.PrivateKey, configuration, errors);
                CheckLimits(listenerPath, listener, errors);
                ValidateRules($"{listenerPath}:Rules", listeners[i].GetSection("Rules"), errors);
            }
        }

        return errors;
    }

    private static void ValidateRules(string path, IConfigurationSection section, List<string> errors)
    {
        var rules = section.GetChildren().ToList();
        for (var i = 0; i < rules.Count; i++)
        {
            var rulePath = $"{path}:{i}";
            var rule = Bind<RuleOptions>(rules[i], errors, rulePath);
            if (rule is null)
            {
                continue;
            }

            if (!AddressRange.TryParse(rule.Address, out _))
            {
                errors.Add($"{rulePath}:Address: '{rule.Address}' is not an IP address, a range a-b or a CIDR block");
            }

            if (!rule.Action.Equals("Allow", StringComparison.OrdinalIgnoreCase) && !rule.Action.Equals("Deny", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{rulePath}:Action: '{rule.Action}' must be Allow or Deny");
            }

            if (rule.Priority is < 1 or > 1000)
            {
                errors.Add($"{rulePath}:Priority: {rule.Priority} must be between 1 and 1000");
            }

            CheckLimits(rulePath, rule, errors);
        }
    }

    private static void CheckLimits(string path, LimitOptions limits, List<string> errors)
    {
        if (limits.MaxConnections < 0 || limits.PeerMaxConnections < 0 || limits.MaxIntervalConnections < 0 || limits.TimeInterval < 0
            || limits.PeerMaxIntervalConnections < 0 || limits.PeerTimeInterval < 0 || limits.IdleTimeout < 0)
        {
            errors.Add($"{path}: limits must not be negative");
        }

        if (limits.MaxIntervalConnections > 0 && limits.TimeInterval == 0)
        {
            errors.Add($"{path}:TimeInterval: required when MaxIntervalConnections is set");
        }

        if (limits.PeerMaxIntervalConnections > 0 && limits.PeerTimeInterval == 0)
        {
            errors.Add($"{path}:PeerTimeInterval: required when PeerMaxIntervalConnections is set");
        }
    }

    private static void CheckPem(string path, string? certificate, string? key, HostConfiguration configuration, List<string> errors)
    {
        if (certificate is null)
        {
            return;
        }

        foreach (var (name, file) in new[] { ("Certificate", certificate), ("PrivateKey", key) })
        {
            if (file is not null && !File.Exists(configuration.Resolve(file)))
            {
                errors.Add($"{path}:{name}: file '{configuration.Resolve(file)}' does not exist");
            }
        }
    }

    private static T? Bind<T>(IConfigurationSection section, List<string> errors, string? path = null) where T : class, new()
    {
        CheckKeys(typeof(T), section, path ?? section.Path, errors);
        try
        {
            return section.Get<T>() ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{path ?? section.Path}: {ex.GetBaseException().Message}");
            return null;
        }
    }

    /// <summary>Names every key that no property of <paramref name="type"/> (or of its nested option objects) takes.</summary>
    private static void CheckKeys(Type type, IConfigurationSection section, string path, List<string> errors)
    {
        var properties = type.GetProperties().ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (child.Key.StartsWith('_') || child.Key.Equals("Options", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!properties.TryGetValue(child.Key, out var property))
            {
                errors.Add($"{path}:{child.Key}: unknown setting (expected one of {string.Join(", ", properties.Keys)})");
                continue;
            }

            var propertyType = property.PropertyType;
            if (propertyType.IsClass && propertyType != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(propertyType))
            {
                CheckKeys(propertyType, child, $"{path}:{child.Key}", errors);
            }
        }
    }
}
