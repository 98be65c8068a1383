namespace Extensible.Processing.Queue;

/// <summary>A header change a filter asked for, applied when the message is written for delivery.</summary>
/// <param name="Name">The header field name.</param>
/// <param name="Value">The value to prepend, or null to remove every field of that name.</param>
public sealed record HeaderEdit(string Name, string? Value);
