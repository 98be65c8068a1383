using System.Net;
using Extensible.Processing.Filters;
using Extensible.Processing.Tests.Filters.Support;
using Extensible.Sdk.Messages;
using Extensible.Testing.Dns;

namespace Extensible.Processing.Tests.Filters;

public sealed class DnsblTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static SmtpSessionInfo Session(string listener = "mx", string ip = "127.0.0.1") =>
        new() { ConnectionId = "c1", ClientAddress = IPAddress.Parse(ip), Listener = listener };

    [Fact]
    public async Task RefusesAListedClientWithTheListsReason()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddAddress("1.0.0.127.bl.test", "127.0.0.2").AddTxt("1.0.0.127.bl.test", "spam source, see http://bl.test/");
        using var context = new FilterPluginContext(new BuiltInFilterOptions { Dnsbl = { Enabled = true, Zones = ["clean.test", "bl.test"] } }, dns);

        var result = await new DnsblHook(context).OnConnectAsync(Session(), Token);

        Assert.Equal((554, "5.7.1", true), (result.Code, result.EnhancedCode, result.Disconnect));
        Assert.Equal("Service unavailable; client [127.0.0.1] listed in bl.test: spam source, see http://bl.test/", result.Text);
        Assert.Equal(1, dns.QueryCount("1.0.0.127.clean.test", ARSoft.Tools.Net.Dns.RecordType.A));
    }

    [Fact]
    public async Task LetsInClientsThatAreNotListedExemptOnOtherListenersOrWhenTheListFails()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddAddress("1.0.0.127.bl.test", "127.0.0.2").AddAddress("2.0.0.127.bl.test", "192.0.2.1").ServerFailure("3.0.0.127.bl.test");
        using var context = new FilterPluginContext(new BuiltInFilterOptions { Dnsbl = { Enabled = true, Zones = ["bl.test"], Exempt = ["127.0.0.4"] } }, dns);
        var hook = new DnsblHook(context);

        Assert.True((await hook.OnConnectAsync(Session("submission"), Token)).IsContinue);
        Assert.True((await hook.OnConnectAsync(Session(ip: "127.0.0.2"), Token)).IsContinue);
        Assert.True((await hook.OnConnectAsync(Session(ip: "127.0.0.3"), Token)).IsContinue);
        Assert.True((await hook.OnConnectAsync(Session(ip: "127.0.0.4"), Token)).IsContinue);
        Assert.True((await hook.OnConnectAsync(Session(ip: "127.0.0.5"), Token)).IsContinue);
        Assert.False((await hook.OnConnectAsync(Session(), Token)).IsContinue);
    }

    [Fact]
    public void ReversesIPv6AddressesByNibble() =>
        Assert.Equal(
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4",
            DnsblHook.ReverseName(IPAddress.Parse("4321:0:1:2:3:4:567:89ab")));
}
