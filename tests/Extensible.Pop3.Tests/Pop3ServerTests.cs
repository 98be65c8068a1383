using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit.Net.Pop3;
using MailKit.Security;

namespace Extensible.Pop3.Tests;

/// <summary>The real host with Storage and Pop3, driven by Python's poplib, MailKit and a raw socket client.</summary>
public class Pop3ServerTests(Pop3ServerFixture fixture) : IClassFixture<Pop3ServerFixture>
{
    private const string PoplibScript = """
        import base64, json, poplib, sys
        port, user = int(sys.argv[1]), sys.argv[2]
        p = poplib.POP3('127.0.0.1', port, timeout=30)
        p.user(user); p.pass_('secret')
        count, size = p.stat()
        uidl = [l.decode().split(' ')[1] for l in p.uidl()[1]]
        retr = [base64.b64encode(b'\r\n'.join(p.retr(i)[1])).decode() for i in range(1, count + 1)]
        top = [l.decode('latin-1') for l in p.top(1, 1)[1]]
        capa = sorted(p.capa().keys())
        p.quit()
        print(json.dumps({'count': count, 'size': size, 'uidl': uidl, 'retr': retr, 'top': top, 'capa': capa}))
        """;

    private static readonly byte[] Dotted = Encoding.ASCII.GetBytes("Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n");
    private static readonly byte[] NoFinalCrlf = Encoding.ASCII.GetBytes("Subject: no final newline\r\n\r\nlast line without CRLF");
    private static readonly byte[] EightBit = [.. Encoding.ASCII.GetBytes("Subject: 8bit\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf"), 0xE9, 0x20, 0xFF, 0x80, (byte)'\r', (byte)'\n'];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PoplibRetrievesMessagesByteForByte()
    {
        var user = await fixture.NewUserAsync(Token);
        await fixture.AppendAsync(user, [Dotted, NoFinalCrlf, EightBit], Token);
        var result = await PythonPoplib.RunAsync(PoplibScript, [fixture.PlainPort.ToString(), user], Token);
        Assert.Equal(3, result.GetProperty("count").GetInt32());
        Assert.Equal(Dotted.Length + NoFinalCrlf.Length + EightBit.Length, result.GetProperty("size").GetInt32());
        var retr = result.GetProperty("retr").EnumerateArray().Select(e => Convert.FromBase64String(e.GetString()!)).ToList();
        // poplib splits on CRLF and undoes dot-stuffing; a message that ends in CRLF loses only that last CRLF.
        Assert.Equal(Dotted[..^2], retr[0]);
        Assert.Equal(NoFinalCrlf, retr[1]);
        Assert.Equal(EightBit[..^2], retr[2]);
        Assert.Equal(["Subject: dots", "", ".leading dot"], result.GetProperty("top").EnumerateArray().Select(e => e.GetString()));
        var uidl = result.GetProperty("uidl").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(3, uidl.Distinct().Count());
        Assert.All(uidl, u => Assert.Matches("^[0-9a-f]{16}$", u));
        var capa = result.GetProperty("capa").EnumerateArray().Select(e => e.GetString()).ToList();
        // Asked after login: USER, SASL and STLS belong to the AUTHORIZATION state only.
        Assert.DoesNotContain("USER", capa);
        foreach (var expected in new[] { "TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "EXPIRE", "IMPLEMENTATION" })
        {
            Assert.Contains(expected, capa);
        }

        // A second session sees the same unique-ids.
        var again = await PythonPoplib.RunAsync(PoplibScript, [fixture.PlainPort.ToString(), user], Token);
        Assert.Equal(uidl, again.GetProperty("uidl").EnumerateArray().Select(e => e.GetString()!));
    }

    [Theory]
    [InlineData(SecureSocketOptions.SslOnConnect)]
    [InlineData(SecureSocketOptions.StartTls)]
    public async Task MailKitReadsOverImplicitTlsAndStls(SecureSocketOptions security)
    {
        var user = await fixture.NewUserAsync(Token);
        await fixture.AppendAsync(user, [Dotted, EightBit], Token);
        using var client = new Pop3Client { ServerCertificateValidationCallback = AcceptTestCertificate };
        await client.ConnectAsync("127.0.0.1", security == SecureSocketOptions.SslOnConnect ? fixture.TlsPort : fixture.PlainPort, security, Token);
        Assert.True(client.IsSecure);
        await client.AuthenticateAsync(new SaslMechanismPlain(user, "secret"), Token);
        Assert.Equal(2, client.Count);
        var message = await client.GetMessageAsync(0, Token);
        Assert.Equal("dots", message.Subject);
        Assert.Contains(".leading dot\r\n..two dots\r\n.\r\nend", message.TextBody!.ReplaceLineEndings("\r\n"), StringComparison.Ordinal);
        var uids = await client.GetMessageUidsAsync(Token);
        Assert.Equal(2, uids.Distinct().Count());
        await client.DisconnectAsync(true, Token);
    }

    [Fact]
    public async Task MailKitAuthenticatesWithScramSha256()
    {
        var user = await fixture.NewUserAsync(Token);
        using var client = new Pop3Client { ServerCertificateValidationCallback = AcceptTestCertificate };
        await client.ConnectAsync("127.0.0.1", fixture.TlsPort, SecureSocketOptions.SslOnConnect, Token);
        Assert.Contains("SCRAM-SHA-256", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(new SaslMechanismScramSha256(user, "secret"), Token);
        Assert.Equal(0, client.Count);
        await client.DisconnectAsync(true, Token);
    }

    [Fact]
    public async Task PipelinedCommandsAreAnsweredInOrderOverASocket()
    {
        var user = await fixture.NewUserAsync(Token);
        await fixture.AppendAsync(user, [Dotted, NoFinalCrlf], Token);
        await using var client = await RawPop3Client.ConnectAsync(fixture.PlainPort, Token);
        Assert.StartsWith("+OK", await client.ReadLineAsync(Token));
        await client.SendAsync($"USER {user}\r\nPASS secret\r\nSTAT\r\nUIDL\r\nRETR 2\r\nTOP 1 0\r\nNOOP\r\nQUIT\r\n", Token);
        Assert.StartsWith("+OK", await client.ReadLineAsync(Token));
        Assert.StartsWith("+OK Logged in", await client.ReadLineAsync(Token));
        Assert.Equal($"+OK 2 {Dotted.Length + NoFinalCrlf.Length}", await client.ReadLineAsync(Token));
        Assert.StartsWith("+OK", await client.ReadLineAsync(Token));
        Assert.Equal(2, (await client.ReadBodyAsync(Token)).Count);
        Assert.Equal($"+OK {NoFinalCrlf.Length} octets", await client.ReadLineAsync(Token));
        Assert.Equal(["Subject: no final newline", "", "last line without CRLF"], await client.ReadBodyAsync(Token));
        Assert.StartsWith("+OK", await client.ReadLineAsync(Token));
        Assert.Equal(["Subject: dots", ""], await client.ReadBodyAsync(Token));
        Assert.Equal("+OK", await client.ReadLineAsync(Token));
        Assert.StartsWith("+OK Bye", await client.ReadLineAsync(Token));
        Assert.Null(await client.ReadLineAsync(Token));
    }

    [Fact]
    public async Task DeletionIsSeenByAnotherSessionOnlyAfterQuit()
    {
        var user = await fixture.NewUserAsync(Token);
        await fixture.AppendAsync(user, [Dotted, NoFinalCrlf, EightBit], Token);
        await using var first = await LoginAsync(user);
        Assert.Equal("+OK Message 1 deleted", await first.CommandAsync("DELE 1", Token));
        await using var second = await LoginAsync(user);
        Assert.StartsWith("+OK 3 ", await second.CommandAsync("STAT", Token));

        // A dropped connection expunges nothing.
        await using (var dropped = await LoginAsync(user))
        {
            Assert.StartsWith("+OK", await dropped.CommandAsync("DELE 2", Token));
        }

        Assert.Equal("+OK Bye, 1 messages deleted", await first.CommandAsync("QUIT", Token));
        await using var third = await LoginAsync(user);
        Assert.Equal($"+OK 2 {NoFinalCrlf.Length + EightBit.Length}", await third.CommandAsync("STAT", Token));

        // The second session keeps its snapshot; the message QUIT removed cannot be retrieved any more.
        Assert.StartsWith("+OK 3 ", await second.CommandAsync("STAT", Token));
        Assert.StartsWith("-ERR [SYS/PERM]", await second.CommandAsync("RETR 1", Token));
        Assert.StartsWith("+OK", await second.CommandAsync("RETR 2", Token));
        await second.ReadBodyAsync(Token);
    }

    [Fact]
    public async Task RetrSetsSeenInTheStoreAndTopDoesNot()
    {
        var user = await fixture.NewUserAsync(Token);
        await fixture.AppendAsync(user, [Dotted, NoFinalCrlf], Token);
        await using (var client = await LoginAsync(user))
        {
            Assert.StartsWith("+OK", await client.CommandAsync("TOP 1 5", Token));
            await client.ReadBodyAsync(Token);
            Assert.StartsWith("+OK", await client.CommandAsync("RETR 2", Token));
            await client.ReadBodyAsync(Token);
            Assert.StartsWith("+OK", await client.CommandAsync("QUIT", Token));
        }

        Assert.Equal(["None", "Seen"], await Pop3ServerFixture.FlagsAsync(fixture.Server, user, Token));
    }

    [Fact]
    public async Task MaxErrorsDropsTheConnection()
    {
        await using var client = await RawPop3Client.ConnectAsync(fixture.PlainPort, Token);
        await client.ReadLineAsync(Token);
        string? line = null;
        var errors = 0;
        for (; errors < 200; errors++)
        {
            line = await client.CommandAsync("BOGUS", Token);
            if (line is null || line.Contains("too many errors", StringComparison.Ordinal))
            {
                break;
            }

            Assert.Equal("-ERR Unknown command", line);
        }

        Assert.NotNull(line);
        Assert.StartsWith("-ERR [SYS/PERM]", line);
        Assert.True(errors < 200);
        Assert.Null(await client.ReadLineAsync(Token));
    }

    // The test server generates a self-signed certificate; any certificate it presents is accepted here.
    private static bool AcceptTestCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => certificate is not null;

    private async Task<RawPop3Client> LoginAsync(string user)
    {
        var client = await RawPop3Client.ConnectAsync(fixture.PlainPort, Token);
        Assert.StartsWith("+OK", await client.ReadLineAsync(Token));
        Assert.StartsWith("+OK", await client.CommandAsync("USER " + user, Token));
        Assert.StartsWith("+OK Logged in", await client.CommandAsync("PASS secret", Token));
        return client;
    }
}
