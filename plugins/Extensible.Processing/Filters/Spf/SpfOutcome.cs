namespace Extensible.Processing.Filters.Spf;

/// <summary>An SPF result and a short reason for the header comment and logs.</summary>
/// <param name="Result">The result.</param>
/// <param name="Reason">Why, in a few words.</param>
public sealed record SpfOutcome(SpfResult Result, string Reason);
