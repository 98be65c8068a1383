using System.Security.Cryptography;
using System.Text;
using Extensible.Processing.Filters;
using Extensible.Processing.Tests.Filters.Support;
using Extensible.Sdk.Users;
using Extensible.Testing.Dns;

namespace Extensible.Processing.Tests.Filters;

public sealed class DkimTests : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);
    private readonly string _keyPath = Path.Combine(Path.GetTempPath(), $"dkim-{Guid.NewGuid():N}.pem");

    public DkimTests() => File.WriteAllText(_keyPath, _key.ExportRSAPrivateKeyPem());

    private static MailUser Alice { get; } = new("1", "alice@sender.test", null, [], StorageQuota.Unlimited);

    private static byte[] Message(string body = "Hello,\r\n\r\nsigned words.\r\n") => Encoding.ASCII.GetBytes(
        "From: Alice <alice@sender.test>\r\nTo: <bob@example.test>\r\nSubject: signed\r\nDate: Sun, 29 Nov 2026 10:00:00 +0000\r\n" +
        "Message-ID: <m1@sender.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + body);

    private BuiltInFilterOptions Options() => new()
    {
        DkimSign = { Enabled = true, Keys = [new DkimKeyOptions { Domain = "sender.test", Selector = "sel1", PrivateKeyPath = _keyPath }] },
        DkimVerify = { Enabled = true },
    };

    private void Publish(LoopbackDnsServer dns) =>
        dns.AddTxt("sel1._domainkey.sender.test", "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo()));

    [Fact]
    public async Task SignsMailOfAuthenticatedSendersSoThatItVerifies()
    {
        await using var dns = LoopbackDnsServer.Start();
        Publish(dns);
        using var context = new FilterPluginContext(Options(), dns);
        using var outgoing = new FilterTestMessage(Message(), "alice@sender.test", user: Alice);

        await new DkimSignFilter(context).InvokeAsync(outgoing, outgoing.Next);
        var signature = outgoing.Header("DKIM-Signature");
        using var incoming = new FilterTestMessage(outgoing.Delivered());
        await new DkimVerifyFilter(context).InvokeAsync(incoming, incoming.Next);
        await new AuthenticationResultsFilter(context).InvokeAsync(incoming, incoming.Next);

        Assert.NotNull(signature);
        Assert.Contains("d=sender.test", signature, StringComparison.Ordinal);
        Assert.Contains("s=sel1", signature, StringComparison.Ordinal);
        Assert.Contains("c=relaxed/relaxed", signature, StringComparison.Ordinal);
        Assert.Equal("mx.example.test; dkim=pass header.d=sender.test header.s=sel1", incoming.Header("Authentication-Results"));
    }

    [Fact]
    public async Task AChangedBodyFailsAndAMissingKeyIsAPermanentError()
    {
        await using var dns = LoopbackDnsServer.Start();
        Publish(dns);
        using var context = new FilterPluginContext(Options(), dns);
        using var outgoing = new FilterTestMessage(Message(), "alice@sender.test", user: Alice);
        await new DkimSignFilter(context).InvokeAsync(outgoing, outgoing.Next);
        var tampered = Encoding.ASCII.GetString(outgoing.Delivered()).Replace("signed words", "forged words", StringComparison.Ordinal);
        var otherSelector = Encoding.ASCII.GetString(outgoing.Delivered()).Replace("s=sel1", "s=gone", StringComparison.Ordinal);

        using var forged = new FilterTestMessage(Encoding.ASCII.GetBytes(tampered));
        using var keyless = new FilterTestMessage(Encoding.ASCII.GetBytes(otherSelector));
        using var unsigned = new FilterTestMessage(Message());
        foreach (var message in new[] { forged, keyless, unsigned })
        {
            await new DkimVerifyFilter(context).InvokeAsync(message, message.Next);
            await new AuthenticationResultsFilter(context).InvokeAsync(message, message.Next);
            Assert.True(message.PassedOn);
        }

        Assert.Equal("mx.example.test; dkim=fail header.d=sender.test header.s=sel1", forged.Header("Authentication-Results"));
        Assert.Equal("mx.example.test; dkim=permerror header.d=sender.test header.s=gone", keyless.Header("Authentication-Results"));
        Assert.Equal("mx.example.test; dkim=none", unsigned.Header("Authentication-Results"));
    }

    [Fact]
    public async Task DoesNotSignForUnauthenticatedSendersOrOtherDomains()
    {
        using var context = new FilterPluginContext(Options());
        using var relayed = new FilterTestMessage(Message(), "alice@sender.test");
        using var otherDomain = new FilterTestMessage(Encoding.ASCII.GetBytes("From: <x@other.test>\r\nSubject: s\r\n\r\nb\r\n"), "x@other.test", user: Alice);

        await new DkimSignFilter(context).InvokeAsync(relayed, relayed.Next);
        await new DkimSignFilter(context).InvokeAsync(otherDomain, otherDomain.Next);

        Assert.Empty(relayed.Prepended);
        Assert.Empty(otherDomain.Prepended);
        Assert.True(relayed.PassedOn && otherDomain.PassedOn);
    }

    public void Dispose()
    {
        _key.Dispose();
        File.Delete(_keyPath);
    }
}
