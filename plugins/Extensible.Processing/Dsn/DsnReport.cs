using Extensible.Processing.Queue;

namespace Extensible.Processing.Dsn;

/// <summary>One recipient line of a delivery status notification.</summary>
/// <param name="Recipient">The recipient's state (address, ORCPT, diagnostic).</param>
/// <param name="Action">RFC 3464 action: <c>failed</c>, <c>delayed</c>, <c>delivered</c>, <c>relayed</c> or <c>expanded</c>.</param>
public sealed record DsnReport(RecipientState Recipient, string Action);
