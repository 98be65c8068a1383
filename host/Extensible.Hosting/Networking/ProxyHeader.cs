using System.Net;

namespace Extensible.Hosting.Networking;

/// <summary>What a PROXY protocol header said: the original client and server addresses (null for LOCAL/UNKNOWN), and the bytes read past it.</summary>
/// <param name="Source">The original client, or null to keep the socket's peer.</param>
/// <param name="Destination">The address the client connected to, or null to keep the socket's.</param>
/// <param name="Leftover">Bytes that followed the header in the same reads; they belong to the protocol.</param>
internal sealed record ProxyHeader(IPEndPoint? Source, IPEndPoint? Destination, ReadOnlyMemory<byte> Leftover);
