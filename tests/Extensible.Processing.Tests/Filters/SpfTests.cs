using System.Net;
using System.Text;
using Extensible.Processing.Filters;
using Extensible.Processing.Filters.Spf;
using Extensible.Processing.Tests.Filters.Support;
using Extensible.Sdk.Messages;
using Extensible.Sdk.Users;
using Extensible.Testing.Dns;

namespace Extensible.Processing.Tests.Filters;

public sealed class SpfTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static byte[] Message => Encoding.ASCII.GetBytes("From: <sender@sender.test>\r\nTo: <bob@example.test>\r\nSubject: spf\r\n\r\nbody\r\n");

    [Theory]
    [InlineData("v=spf1 ip4:127.0.0.1 -all", SpfResult.Pass)]
    [InlineData("v=spf1 ip4:127.0.0.0/8 -all", SpfResult.Pass)]
    [InlineData("v=spf1 ip4:192.0.2.0/24 -all", SpfResult.Fail)]
    [InlineData("v=spf1 ip4:192.0.2.0/24 ~all", SpfResult.SoftFail)]
    [InlineData("v=spf1 ?all", SpfResult.Neutral)]
    [InlineData("v=spf1 ip6:2001:db8::/32", SpfResult.Neutral)]
    [InlineData("v=spf1 include:_spf.other.test -all", SpfResult.Pass)]
    [InlineData("v=spf1 mx -all", SpfResult.Pass)]
    [InlineData("v=spf1 a:host.other.test/24 -all", SpfResult.Pass)]
    [InlineData("v=spf1 exists:%{ir}.%{v}.ex.other.test -all", SpfResult.Pass)]
    [InlineData("v=spf1 redirect=_spf.other.test", SpfResult.Pass)]
    [InlineData("v=spf1 redirect=nospf.other.test", SpfResult.PermError)]
    [InlineData("v=spf1 include:broken.other.test -all", SpfResult.TempError)]
    [InlineData("v=spf1 bogus:x -all", SpfResult.PermError)]
    [InlineData("v=spf1 ip4:not-an-ip -all", SpfResult.PermError)]
    public async Task EvaluatesRecordsAsRfc7208Says(string record, SpfResult expected)
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddTxt("sender.test", record)
            .AddMx("sender.test", 10, "mx.sender.test").AddAddress("mx.sender.test", "127.0.0.1")
            .AddTxt("_spf.other.test", "v=spf1 a:host.other.test/24 -all").AddAddress("host.other.test", "127.0.0.9")
            .AddAddress("1.0.0.127.in-addr.ex.other.test", "127.0.0.2")
            .AddAddress("nospf.other.test", "192.0.2.1")
            .ServerFailure("broken.other.test");
        using var context = new FilterPluginContext(new BuiltInFilterOptions(), dns);
        var evaluator = new SpfEvaluator(context.GetService<Sdk.Dns.IDnsResolver>()!, "mx.example.test");

        var outcome = await evaluator.CheckHostAsync(IPAddress.Loopback, "sender.test", "sender@sender.test", "client.sender.test", Token);

        Assert.Equal(expected, outcome.Result);
    }

    [Fact]
    public async Task NoRecordIsNoneAndTwoRecordsArePermError()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddTxt("two.test", "v=spf1 -all").AddTxt("two.test", "v=spf1 +all").AddTxt("plain.test", "hello");
        using var context = new FilterPluginContext(new BuiltInFilterOptions(), dns);
        var evaluator = new SpfEvaluator(context.GetService<Sdk.Dns.IDnsResolver>()!, "mx.example.test");

        Assert.Equal(SpfResult.None, (await evaluator.CheckHostAsync(IPAddress.Loopback, "plain.test", "a@plain.test", null, Token)).Result);
        Assert.Equal(SpfResult.None, (await evaluator.CheckHostAsync(IPAddress.Loopback, "missing.test", "a@missing.test", null, Token)).Result);
        Assert.Equal(SpfResult.PermError, (await evaluator.CheckHostAsync(IPAddress.Loopback, "two.test", "a@two.test", null, Token)).Result);
    }

    [Fact]
    public async Task MoreThanTenLookupsIsPermError()
    {
        await using var dns = LoopbackDnsServer.Start();
        var mechanisms = string.Join(' ', Enumerable.Range(1, 11).Select(i => $"a:h{i}.many.test"));
        dns.AddTxt("many.test", $"v=spf1 {mechanisms} -all");
        for (var i = 1; i <= 11; i++)
        {
            dns.AddAddress($"h{i}.many.test", "192.0.2.1");
        }

        using var context = new FilterPluginContext(new BuiltInFilterOptions(), dns);
        var outcome = await new SpfEvaluator(context.GetService<Sdk.Dns.IDnsResolver>()!, "mx").CheckHostAsync(IPAddress.Loopback, "many.test", "a@many.test", null, Token);

        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Equal(0, dns.QueryCount("h11.many.test", ARSoft.Tools.Net.Dns.RecordType.A));
    }

    [Fact]
    public async Task RecordsReceivedSpfAndAuthenticationResults()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddTxt("sender.test", "v=spf1 ip4:127.0.0.1 -all");
        using var context = new FilterPluginContext(new BuiltInFilterOptions { Spf = { Enabled = true } }, dns);
        using var message = new FilterTestMessage(Message);

        var verdict = await new SpfFilter(context).InvokeAsync(message, message.Next);
        await new AuthenticationResultsFilter(context).InvokeAsync(message, message.Next);

        Assert.IsType<FilterVerdict.Accepted>(verdict);
        Assert.True(message.PassedOn);
        Assert.StartsWith("pass (mx.example.test: domain of sender@sender.test designates 127.0.0.1 as permitted sender)", message.Header("Received-SPF"), StringComparison.Ordinal);
        Assert.Contains("client-ip=127.0.0.1;", message.Header("Received-SPF"), StringComparison.Ordinal);
        Assert.Equal("mx.example.test; spf=pass smtp.mailfrom=sender@sender.test", message.Header("Authentication-Results"));
    }

    [Fact]
    public async Task RefusesAFailOnlyWhenConfiguredAndSkipsAuthenticatedSenders()
    {
        await using var dns = LoopbackDnsServer.Start();
        dns.AddTxt("sender.test", "v=spf1 -all");
        using var recording = new FilterPluginContext(new BuiltInFilterOptions { Spf = { Enabled = true } }, dns);
        using var rejecting = new FilterPluginContext(new BuiltInFilterOptions { Spf = { Enabled = true, RejectOnFail = true } }, dns);
        using var recorded = new FilterTestMessage(Message);
        using var refused = new FilterTestMessage(Message);
        using var authenticated = new FilterTestMessage(Message, user: new MailUser("1", "sender@sender.test", null, [], StorageQuota.Unlimited));

        var recordedVerdict = await new SpfFilter(recording).InvokeAsync(recorded, recorded.Next);
        var refusedVerdict = await new SpfFilter(rejecting).InvokeAsync(refused, refused.Next);
        var authenticatedVerdict = await new SpfFilter(rejecting).InvokeAsync(authenticated, authenticated.Next);

        Assert.IsType<FilterVerdict.Accepted>(recordedVerdict);
        Assert.StartsWith("fail ", recorded.Header("Received-SPF"), StringComparison.Ordinal);
        var rejected = Assert.IsType<FilterVerdict.Rejected>(refusedVerdict);
        Assert.Equal((550, "5.7.23"), (rejected.Code, rejected.EnhancedCode));
        Assert.False(refused.PassedOn);
        Assert.IsType<FilterVerdict.Accepted>(authenticatedVerdict);
        Assert.Empty(authenticated.Prepended);
    }
}
