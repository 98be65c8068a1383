using Extensible.Sdk.Connections;

namespace Extensible.Hosting.Networking;

/// <summary>The outcome of <see cref="ConnectionAdmission.TryAdmit"/>: a lease to dispose when the connection closes, or why it was refused.</summary>
/// <param name="Lease">Held while the connection is open; null when refused.</param>
/// <param name="Refusal">Why the connection was refused; null when admitted.</param>
/// <param name="IdleTimeoutSeconds">Seconds of silence after which the host closes the connection; 0 for never.</param>
/// <param name="GreetingDelay">How long to hold the connection before the protocol starts (a penalised peer).</param>
internal readonly record struct AdmissionResult(IDisposable? Lease, RefusalReason? Refusal, int IdleTimeoutSeconds, TimeSpan GreetingDelay);
