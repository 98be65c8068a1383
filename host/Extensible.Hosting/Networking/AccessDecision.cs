namespace Extensible.Hosting.Networking;

/// <summary>The outcome of evaluating the access rules for one peer.</summary>
/// <param name="Allowed">False when a deny rule won.</param>
/// <param name="Rule">The rule that decided, or null when no rule matched (the implicit allow-all).</param>
/// <param name="Level">Where the deciding rule sits: <c>listener</c>, <c>service</c>, <c>global</c>, or <c>default</c>.</param>
public readonly record struct AccessDecision(bool Allowed, AccessRule? Rule, string Level);
