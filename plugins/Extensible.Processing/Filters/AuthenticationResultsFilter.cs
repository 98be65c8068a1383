using System.Composition;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Plugins;

namespace Extensible.Processing.Filters;

/// <summary>Writes one Authentication-Results header (RFC 8601) from the clauses the SPF and DKIM filters collected.</summary>
[Export(typeof(IMessageFilter))]
[method: ImportingConstructor]
public sealed class AuthenticationResultsFilter(PluginContext context) : IMessageFilter
{
    /// <inheritdoc />
    public string Name => "authentication-results";

    /// <inheritdoc />
    public int Order => 190;

    /// <inheritdoc />
    public ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        var clauses = AuthenticationResults.Get(message);
        if (clauses.Count > 0)
        {
            message.PrependHeader("Authentication-Results", $"{context.ServerName}; {string.Join("; ", clauses)}");
        }

        return next(message);
    }
}
