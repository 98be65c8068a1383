using DnsClient.Protocol;
using Extensible.Sdk.Dns;

namespace Extensible.Hosting.Dns;

/// <summary>The outcome of one query as the DNR caches it: the status and the answer records.</summary>
/// <param name="Status">How the query ended.</param>
/// <param name="Records">The answer section (empty unless the status is NoError).</param>
internal sealed record DnrAnswer(DnsStatus Status, IReadOnlyList<DnsResourceRecord> Records);
