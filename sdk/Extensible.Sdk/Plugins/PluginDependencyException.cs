namespace Extensible.Sdk.Plugins;

/// <summary>Thrown when a plugin needs a contract that no running plugin provides.</summary>
public sealed class PluginDependencyException : Exception
{
    /// <summary>Creates the exception naming the plugin and the missing contract.</summary>
    public PluginDependencyException(string pluginId, Type contract)
        : base($"Service '{pluginId}' needs {contract.Name}, which no running plugin provides.")
    {
        PluginId = pluginId;
        Contract = contract;
    }

    /// <summary>The plugin that asked.</summary>
    public string PluginId { get; }

    /// <summary>The contract nobody provides.</summary>
    public Type Contract { get; }
}
