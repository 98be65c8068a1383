using Extensible.Sdk.Messages;

namespace Extensible.SmtpSending.Transport;

/// <summary>How one attempt over one connection ended.</summary>
/// <param name="Results">Per-recipient results (empty when <paramref name="TryElsewhere"/>).</param>
/// <param name="Reusable">True when the connection may carry the next message.</param>
/// <param name="TryElsewhere">True when the connection failed before the peer decided anything, so another host may be tried.</param>
/// <param name="Error">Why the connection failed, when <paramref name="TryElsewhere"/>.</param>
internal sealed record SendOutcome(IReadOnlyList<RemoteRecipientResult> Results, bool Reusable, bool TryElsewhere = false, string? Error = null);
