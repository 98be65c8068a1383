namespace Extensible.Sdk.Plugins;

/// <summary>A listener a service binds when its config lists none.</summary>
/// <param name="Name">Listener name the handler can branch on (for example <c>mx</c>, <c>submission</c>, <c>smtps</c>).</param>
/// <param name="Address">Bind address and port, for example <c>127.0.0.1:2525</c> or <c>[::1]:2525</c>.</param>
/// <param name="ImplicitTls">True when TLS starts before the protocol greets (SMTPS, IMAPS, POP3S).</param>
public sealed record ListenerDefaults(string Name, string Address, bool ImplicitTls = false);
