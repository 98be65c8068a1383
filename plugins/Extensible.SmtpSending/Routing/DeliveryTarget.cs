using System.Net;

namespace Extensible.SmtpSending.Routing;

/// <summary>One host to try, with its addresses in the order to try them.</summary>
/// <param name="Host">The MX or relay host name (also the TLS server name).</param>
/// <param name="Addresses">Its addresses.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="Relay">The smart host settings when this is a relay, else null.</param>
internal sealed record DeliveryTarget(string Host, IReadOnlyList<IPAddress> Addresses, int Port, SmartHostOptions? Relay);
