using System.Net;
using System.Text;
using Extensible.Hosting.Networking;

namespace Extensible.Host.Tests.Networking;

public sealed class ProxyProtocolReaderTests
{
    public static TheoryData<string, string, string?, string?> V1Cases => new()
    {
        { "TCP4", "PROXY TCP4 203.0.113.9 192.0.2.1 51000 25\r\n", "203.0.113.9:51000", "192.0.2.1:25" },
        { "TCP6", "PROXY TCP6 2001:db8::9 2001:db8::1 51000 993\r\n", "[2001:db8::9]:51000", "[2001:db8::1]:993" },
        { "UNKNOWN keeps the socket addresses", "PROXY UNKNOWN\r\n", null, null },
        { "UNKNOWN with addresses is still unknown", "PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n", null, null },
    };

    public static TheoryData<string, string> MalformedV1 => new()
    {
        { "not a header", "EHLO example.test\r\n" },
        { "lower case", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n" },
        { "missing field", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n" },
        { "bad protocol", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n" },
        { "family mismatch", "PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n" },
        { "port too big", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n" },
        { "port with sign", "PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n" },
        { "too long", "PROXY TCP4 " + new string('1', 120) + "\r\n" },
    };

    [Theory]
    [MemberData(nameof(V1Cases))]
    public async Task V1_headers_give_the_client_address(string name, string header, string? source, string? destination)
    {
        var parsed = await ReadAsync(Encoding.ASCII.GetBytes(header + "EHLO x\r\n"));

        Assert.True(source == parsed.Source?.ToString(), name);
        Assert.Equal(destination, parsed.Destination?.ToString());
        Assert.Equal("EHLO x\r\n", Encoding.ASCII.GetString(parsed.Leftover.Span));
    }

    [Theory]
    [MemberData(nameof(MalformedV1))]
    public async Task Malformed_v1_headers_are_rejected(string name, string header)
    {
        var error = await Record.ExceptionAsync(() => ReadAsync(Encoding.ASCII.GetBytes(header)));

        Assert.True(error is InvalidDataException, $"{name}: {error?.GetType().Name ?? "no error"}");
    }

    [Fact]
    public async Task V2_IPv4_header_gives_the_client_address_and_keeps_what_follows()
    {
        var header = V2(0x21, 0x11, [203, 0, 113, 9, 192, 0, 2, 1, 0xC7, 0x38, 0x00, 0x19]);

        var parsed = await ReadAsync([.. header, .. "HELO\r\n"u8.ToArray()]);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 51000), parsed.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 25), parsed.Destination);
        Assert.Equal("HELO\r\n", Encoding.ASCII.GetString(parsed.Leftover.Span));
    }

    [Fact]
    public async Task V2_IPv6_header_with_tlvs_is_read_whole()
    {
        var body = new List<byte>();
        body.AddRange(IPAddress.Parse("2001:db8::9").GetAddressBytes());
        body.AddRange(IPAddress.Parse("2001:db8::1").GetAddressBytes());
        body.AddRange([0x01, 0xBB, 0x03, 0xE1]);
        body.AddRange([0x04, 0x00, 0x03, 0x61, 0x62, 0x63]); // a NOOP TLV

        var parsed = await ReadAsync(V2(0x21, 0x21, [.. body]));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::9"), 443), parsed.Source);
        Assert.Equal(993, parsed.Destination!.Port);
        Assert.True(parsed.Leftover.IsEmpty);
    }

    [Fact]
    public async Task V2_local_command_keeps_the_socket_addresses()
    {
        var parsed = await ReadAsync(V2(0x20, 0x00, []));

        Assert.Null(parsed.Source);
    }

    [Theory]
    [InlineData("version 1 in a v2 signature", 0x11, 0x11, 12)]
    [InlineData("unknown command", 0x22, 0x11, 12)]
    [InlineData("unknown family", 0x21, 0x41, 12)]
    [InlineData("too short for IPv4", 0x21, 0x11, 8)]
    [InlineData("too short for IPv6", 0x21, 0x21, 12)]
    public async Task Malformed_v2_headers_are_rejected(string name, byte versionCommand, byte family, int length)
    {
        var error = await Record.ExceptionAsync(() => ReadAsync(V2(versionCommand, family, new byte[length])));

        Assert.True(error is InvalidDataException, $"{name}: {error?.GetType().Name ?? "no error"}");
    }

    [Fact]
    public async Task Header_cut_short_is_rejected()
    {
        var error = await Record.ExceptionAsync(() => ReadAsync("PROXY TCP4 1.2.3.4"u8.ToArray()));

        Assert.IsType<InvalidDataException>(error);
    }

    [Fact]
    public async Task Header_arriving_byte_by_byte_is_read_without_waiting_for_more()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.9 192.0.2.1 51000 25\r\n");

        // The stream never ends: reading must stop at the header's end, not wait for further input.
        var parsed = await ProxyProtocolReader.ReadAsync(new TrickleStream(bytes), TestContext.Current.CancellationToken);

        Assert.Equal("203.0.113.9:51000", parsed.Source!.ToString());
    }

    private static Task<ProxyHeader> ReadAsync(byte[] bytes) =>
        ProxyProtocolReader.ReadAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken);

    private static byte[] V2(byte versionCommand, byte family, byte[] body) =>
        [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, versionCommand, family, (byte)(body.Length >> 8), (byte)body.Length, .. body];

    /// <summary>Returns one byte per read, then blocks forever (as a proxy waiting for the greeting would).</summary>
    private sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= bytes.Length)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            buffer.Span[0] = bytes[_position++];
            return 1;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
