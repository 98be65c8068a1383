using System.Diagnostics;
using System.Net;
using ARSoft.Tools.Net.Dns;
using MxRecord = Extensible.Sdk.Dns.MxRecord;
using Extensible.Hosting.Dns;
using Extensible.Sdk.Dns;
using Extensible.Testing.Dns;

namespace Extensible.SmtpSending.Tests.Dns;

public sealed class DnrResolverTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DnrResolver Resolver(int timeoutSeconds = 1, int retries = 0, int cacheSize = 1000, params (LoopbackDnsServer Server, int Priority)[] servers) =>
        new(new DnrOptions
        {
            NameServers = [.. servers.Select(s => new NameServerOptions { Address = $"127.0.0.1:{s.Server.Port}", Priority = s.Priority })],
            TimeoutSeconds = timeoutSeconds,
            Retries = retries,
            CacheSize = cacheSize,
        }, Serilog.Core.Logger.None);

    [Fact]
    public async Task ResolvesEveryRecordTypeTheSdkOffers()
    {
        await using var dns = LoopbackDnsServer.Start();
        var longText = "v=DKIM1; k=rsa; p=" + new string('A', 400);
        dns.AddMx("a.test", 20, "mx2.a.test").AddMx("a.test", 10, "mx1.a.test")
            .AddAddress("mx1.a.test", "192.0.2.1").AddAddress("mx1.a.test", "2001:db8::1")
            .AddTxt("a.test", "v=spf1 -all").AddTxt("sel._domainkey.a.test", longText)
            .AddPtr(IPAddress.Parse("192.0.2.1"), "mx1.a.test")
            .AddNullMx("null.test");
        var resolver = Resolver(servers: (dns, 1));

        var mx = await resolver.ResolveMxAsync("a.test", Token);
        var addresses = await resolver.ResolveAddressesAsync("mx1.a.test", null, Token);
        var txt = await resolver.ResolveTxtAsync("sel._domainkey.a.test", Token);
        var ptr = await resolver.ResolvePtrAsync(IPAddress.Parse("192.0.2.1"), Token);
        var nullMx = await resolver.ResolveMxAsync("null.test", Token);
        var missing = await resolver.ResolveMxAsync("missing.test", Token);

        Assert.Equal(["mx1.a.test", "mx2.a.test"], mx.Records.Select(r => r.Exchange));
        Assert.Equal([IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1")], addresses.Records);
        Assert.Equal(longText, Assert.Single(txt.Records));
        Assert.Equal("mx1.a.test", Assert.Single(ptr.Records));
        Assert.Equal(new MxRecord(0, ""), Assert.Single(nullMx.Records));
        Assert.Equal(DnsStatus.NameError, missing.Status);
    }

    [Fact]
    public async Task AsksNameServersInPriorityOrderAndPassesOverAFailingOne()
    {
        await using var first = LoopbackDnsServer.Start();
        await using var second = LoopbackDnsServer.Start();
        first.AddTxt("both.test", "from-first").ServerFailure("flaky.test");
        second.AddTxt("both.test", "from-second").AddTxt("flaky.test", "from-second");
        var resolver = Resolver(servers: [(second, 5), (first, 1)]);

        var both = await resolver.ResolveTxtAsync("both.test", Token);
        var flaky = await resolver.ResolveTxtAsync("flaky.test", Token);

        Assert.Equal("from-first", Assert.Single(both.Records));
        Assert.Equal(0, second.QueryCount("both.test", RecordType.Txt));
        Assert.Equal("from-second", Assert.Single(flaky.Records));
        Assert.Equal(1, first.QueryCount("flaky.test", RecordType.Txt));
    }

    [Fact]
    public async Task CachesAnswersAndNegativeAnswersButNotFailures()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddTxt("cached.test", "x", ttl: 300).AddTxt("nottl.test", "y", ttl: 0).ServerFailure("fail.test");
        var resolver = Resolver(servers: (dns, 1));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("x", Assert.Single((await resolver.ResolveTxtAsync("CACHED.test.", Token)).Records));
            Assert.Equal(DnsStatus.NameError, (await resolver.ResolveTxtAsync("nowhere.test", Token)).Status);
            Assert.Equal("y", Assert.Single((await resolver.ResolveTxtAsync("nottl.test", Token)).Records));
            Assert.Equal(DnsStatus.ServerFailure, (await resolver.ResolveTxtAsync("fail.test", Token)).Status);
        }

        Assert.Equal(1, dns.QueryCount("cached.test", RecordType.Txt));
        Assert.Equal(1, dns.QueryCount("nowhere.test", RecordType.Txt));
        Assert.Equal(3, dns.QueryCount("nottl.test", RecordType.Txt));
        Assert.Equal(3, dns.QueryCount("fail.test", RecordType.Txt));
    }

    [Fact]
    public async Task KeepsTheCacheWithinItsSizePerRecordType()
    {
        await using var dns = LoopbackDnsServer.Start();
        foreach (var name in new[] { "a.test", "b.test", "c.test" })
        {
            dns.AddTxt(name, name, ttl: 300).AddAddress(name, "192.0.2.7", ttl: 300);
        }

        var resolver = Resolver(cacheSize: 2, servers: (dns, 1));
        await resolver.ResolveAddressesAsync("a.test", System.Net.Sockets.AddressFamily.InterNetwork, Token);
        foreach (var name in new[] { "a.test", "b.test", "c.test", "a.test" })
        {
            await resolver.ResolveTxtAsync(name, Token);
        }

        await resolver.ResolveAddressesAsync("a.test", System.Net.Sockets.AddressFamily.InterNetwork, Token);

        // a.test's TXT answer was evicted by c.test (least recently used); its A answer lives in another type's cache.
        Assert.Equal(2, dns.QueryCount("a.test", RecordType.Txt));
        Assert.Equal(1, dns.QueryCount("a.test", RecordType.A));
    }

    [Fact]
    public async Task RetriesWithADoubledTimeoutThenReportsATimeout()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.TimeOut("slow.test");
        var resolver = Resolver(timeoutSeconds: 1, retries: 1, servers: (dns, 1));

        var watch = Stopwatch.StartNew();
        var result = await resolver.ResolveMxAsync("slow.test", Token);
        watch.Stop();

        Assert.Equal(DnsStatus.Timeout, result.Status);
        Assert.True(result.IsTemporaryFailure);
        Assert.Equal(2, dns.QueryCount("slow.test", RecordType.Mx));

        // One second, then two: a single undoubled retry would have given up after about two seconds.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.8), $"gave up after {watch.Elapsed}");
    }
}
