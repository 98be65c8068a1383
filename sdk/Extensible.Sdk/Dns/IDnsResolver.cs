using System.Net;
using System.Net.Sockets;

namespace Extensible.Sdk.Dns;

/// <summary>The host's one DNS resolver (AXIGEN's DNR): configured name servers by priority, retries, and a cache per record type.</summary>
public interface IDnsResolver
{
    /// <summary>The name servers in the order they are asked; for libraries that must run their own queries.</summary>
    IReadOnlyList<IPEndPoint> NameServers { get; }

    /// <summary>MX records of a domain, sorted by preference.</summary>
    ValueTask<DnsResult<MxRecord>> ResolveMxAsync(string domain, CancellationToken cancellationToken = default);

    /// <summary>A and/or AAAA records of a host; <paramref name="family"/> null asks for both.</summary>
    ValueTask<DnsResult<IPAddress>> ResolveAddressesAsync(string host, AddressFamily? family = null, CancellationToken cancellationToken = default);

    /// <summary>TXT records of a name, each record's strings joined without separator (as SPF and DKIM read them).</summary>
    ValueTask<DnsResult<string>> ResolveTxtAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>PTR names of an address.</summary>
    ValueTask<DnsResult<string>> ResolvePtrAsync(IPAddress address, CancellationToken cancellationToken = default);
}

/// <summary>How a DNS query ended.</summary>
public enum DnsStatus
{
    /// <summary>The name exists; the records may still be empty (NODATA).</summary>
    NoError,

    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NameError,

    /// <summary>The server failed or refused (SERVFAIL, REFUSED); a temporary error.</summary>
    ServerFailure,

    /// <summary>No server answered in time; a temporary error.</summary>
    Timeout,
}

/// <summary>The answer to a DNS query.</summary>
/// <typeparam name="T">Record type.</typeparam>
/// <param name="Status">How the query ended.</param>
/// <param name="Records">The records, empty unless <paramref name="Status"/> is <see cref="DnsStatus.NoError"/>.</param>
public sealed record DnsResult<T>(DnsStatus Status, IReadOnlyList<T> Records)
{
    /// <summary>True for <see cref="DnsStatus.ServerFailure"/> and <see cref="DnsStatus.Timeout"/>.</summary>
    public bool IsTemporaryFailure => Status is DnsStatus.ServerFailure or DnsStatus.Timeout;
}

/// <summary>An MX record.</summary>
/// <param name="Preference">Lower is preferred.</param>
/// <param name="Exchange">Host name without trailing dot; "." (null MX, RFC 7505) is kept as an empty string.</param>
public sealed record MxRecord(int Preference, string Exchange);
