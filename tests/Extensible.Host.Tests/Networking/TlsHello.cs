namespace Extensible.Host.Tests.Networking;

/// <summary>Builds a minimal TLS ClientHello offering one protocol version (no supported_versions extension), for version checks.</summary>
internal static class TlsHello
{
    public const byte Handshake = 0x16;

    public const byte Alert = 0x15;

    public static byte[] Build(ushort version)
    {
        byte[] suites = [0xC0, 0x2F, 0xC0, 0x30, 0xC0, 0x13, 0xC0, 0x14, 0x00, 0x9C, 0x00, 0x2F, 0x00, 0x35];
        byte[] extensions =
        [
            0x00, 0x0A, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1D, 0x00, 0x17,                    // supported_groups: x25519, secp256r1
            0x00, 0x0B, 0x00, 0x02, 0x01, 0x00,                                            // ec_point_formats: uncompressed
            0x00, 0x0D, 0x00, 0x08, 0x00, 0x06, 0x08, 0x04, 0x04, 0x01, 0x02, 0x01,        // signature_algorithms
        ];
        var body = new List<byte> { (byte)(version >> 8), (byte)version };
        body.AddRange(Enumerable.Range(0, 32).Select(i => (byte)i));
        body.Add(0);
        body.AddRange([(byte)(suites.Length >> 8), (byte)suites.Length, .. suites]);
        body.AddRange([0x01, 0x00]);
        body.AddRange([(byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions]);
        var handshake = new List<byte> { 0x01, 0, (byte)(body.Count >> 8), (byte)body.Count };
        handshake.AddRange(body);
        return [Handshake, 0x03, 0x01, (byte)(handshake.Count >> 8), (byte)handshake.Count, .. handshake];
    }
}
