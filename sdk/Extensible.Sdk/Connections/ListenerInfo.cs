namespace Extensible.Sdk.Connections;

/// <summary>The listener a connection arrived on, as configured.</summary>
public abstract class ListenerInfo
{
    /// <summary>The listener's name (for example <c>mx</c>, <c>submission</c>, <c>smtps</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The address and port the listener is bound to.</summary>
    public abstract System.Net.EndPoint BoundEndPoint { get; }

    /// <summary>True when TLS starts before the protocol greets.</summary>
    public abstract bool ImplicitTls { get; }

    /// <summary>True when a certificate is available, so STARTTLS/STLS may be offered.</summary>
    public abstract bool TlsAvailable { get; }

    /// <summary>Binds the listener's <c>Options</c> config section onto a new <typeparamref name="TOptions"/>.</summary>
    public abstract TOptions GetOptions<TOptions>() where TOptions : class, new();
}
