namespace Extensible.Hosting.Configuration;

/// <summary>The configuration cannot be used; the message names the file or the JSON path at fault.</summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationException(string message, Exception? inner = null) : base(message, inner) { }
}
