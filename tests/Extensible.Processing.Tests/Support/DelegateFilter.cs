using Extensible.Sdk.Messages;

namespace Extensible.Processing.Tests.Support;

/// <summary>A filter whose behaviour is a delegate; counts its calls.</summary>
public sealed class DelegateFilter(string name, int order, Func<MessageContext, MessageFilterDelegate, ValueTask<FilterVerdict>> body) : IMessageFilter
{
    public int Calls;

    public string Name => name;

    public int Order => order;

    public ValueTask<FilterVerdict> InvokeAsync(MessageContext message, MessageFilterDelegate next)
    {
        Interlocked.Increment(ref Calls);
        return body(message, next);
    }
}
