namespace Extensible.Sdk.Messages;

/// <summary>The rest of the filter chain.</summary>
public delegate ValueTask<FilterVerdict> MessageFilterDelegate(MessageContext message);

/// <summary>One step of the message filter chain; call the next step to continue, or return a verdict to stop.</summary>
/// <remarks>A filter that throws or times out is logged and passed over or retried as configured; the message is never lost.</remarks>
public interface IMessageFilter
{
    /// <summary>Name used in config and logs.</summary>
    string Name { get; }

    /// <summary>Lower runs first; built-in filters use multiples of 100.</summary>
    int Order { get; }

    /// <summary>Inspects or changes the message and decides.</summary>
    ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next);
}
