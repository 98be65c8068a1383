using System.Net;
using Extensible.Hosting.Configuration;
using Extensible.Hosting.Networking;
using Extensible.Sdk.Connections;

namespace Extensible.Host.Tests.Networking;

public sealed class ConnectionAdmissionTests
{
    private static readonly IPAddress Peer = IPAddress.Parse("192.0.2.1");

    [Fact]
    public void Denied_peer_is_refused_counted_and_logged_once_per_interval()
    {
        var (logger, sink) = CollectingSink.Create();
        var service = new ServiceAccess(logger);
        var admission = new ConnectionAdmission(service, "mx", Policy(listenerRules: [new RuleOptions { Address = "192.0.2.0/24", Action = "Deny" }]));

        var results = Enumerable.Range(0, 50).Select(_ => admission.TryAdmit(Peer)).ToList();
        var other = admission.TryAdmit(IPAddress.Parse("192.0.2.2"));

        Assert.All(results, r => Assert.Equal(RefusalReason.Denied, r.Refusal));
        Assert.Equal(RefusalReason.Denied, other.Refusal);
        Assert.Equal(51, service.Refusals(RefusalReason.Denied));
        Assert.Equal(2, sink.Events.Count(e => e.MessageTemplate.Text.StartsWith("Refused", StringComparison.Ordinal)));
    }

    [Fact]
    public void Service_cap_is_shared_by_every_listener_of_the_service()
    {
        var (logger, _) = CollectingSink.Create();
        var service = new ServiceAccess(logger) { MaxConnections = 2 };
        var first = new ConnectionAdmission(service, "a", AccessPolicy.Open);
        var second = new ConnectionAdmission(service, "b", AccessPolicy.Open);

        var one = first.TryAdmit(Peer);
        var two = second.TryAdmit(Peer);
        var three = first.TryAdmit(Peer);
        one.Lease!.Dispose();
        var four = second.TryAdmit(Peer);

        Assert.NotNull(two.Lease);
        Assert.Equal(RefusalReason.Busy, three.Refusal);
        Assert.NotNull(four.Lease);
        Assert.Equal(2, service.Open);
    }

    [Fact]
    public void Allow_rule_limits_are_counted_apart_from_the_listener_limits()
    {
        var (logger, _) = CollectingSink.Create();
        var service = new ServiceAccess(logger);
        var trusted = new RuleOptions { Address = "10.0.0.0/8", Action = "Allow", PeerMaxConnections = 3 };
        var admission = new ConnectionAdmission(service, "mx", Policy(listenerRules: [trusted], listener: new LimitOptions { PeerMaxConnections = 1, IdleTimeout = 120 }));
        var inside = IPAddress.Parse("10.1.2.3");

        var insideResults = Enumerable.Range(0, 4).Select(_ => admission.TryAdmit(inside).Refusal?.ToString() ?? "ok").ToList();
        var outsideResults = Enumerable.Range(0, 2).Select(_ => admission.TryAdmit(Peer).Refusal?.ToString() ?? "ok").ToList();

        Assert.Equal(["ok", "ok", "ok", "Busy"], insideResults);
        Assert.Equal(["ok", "Busy"], outsideResults);
        Assert.Equal(4, admission.Open);
    }

    [Fact]
    public void Idle_timeout_comes_from_the_limits_in_force()
    {
        var (logger, _) = CollectingSink.Create();
        var rule = new RuleOptions { Address = "10.0.0.0/8", Action = "Allow", IdleTimeout = 15 };
        var admission = new ConnectionAdmission(new ServiceAccess(logger), "mx", Policy(listenerRules: [rule], listener: new LimitOptions { IdleTimeout = 300 }));

        Assert.Equal(15, admission.TryAdmit(IPAddress.Parse("10.0.0.1")).IdleTimeoutSeconds);
        Assert.Equal(300, admission.TryAdmit(Peer).IdleTimeoutSeconds);
    }

    [Fact]
    public void Swapping_the_policy_applies_to_the_next_connection_and_leaves_open_ones()
    {
        var (logger, _) = CollectingSink.Create();
        var service = new ServiceAccess(logger);
        var admission = new ConnectionAdmission(service, "mx", AccessPolicy.Open);
        var open = admission.TryAdmit(Peer);

        admission.Policy = Policy(serviceRules: [new RuleOptions { Address = Peer.ToString(), Action = "Deny" }]);
        var next = admission.TryAdmit(Peer);

        Assert.NotNull(open.Lease);
        Assert.Equal(RefusalReason.Denied, next.Refusal);
        Assert.Equal(1, service.Open);
        open.Lease!.Dispose();
        open.Lease.Dispose();
        Assert.Equal(0, service.Open);
    }

    [Fact]
    public void Peers_with_failed_logins_get_a_growing_greeting_delay()
    {
        var (logger, sink) = CollectingSink.Create();
        var service = new ServiceAccess(logger) { MaxAuthErrors = 3 };
        var admission = new ConnectionAdmission(service, "mx", AccessPolicy.Open);
        var delays = new List<double>();
        for (var failures = 0; failures < 10; failures++)
        {
            var result = admission.TryAdmit(Peer);
            delays.Add(result.GreetingDelay.TotalSeconds);
            result.Lease!.Dispose();
            service.ReportAuthenticationFailure(Peer);
        }

        Assert.Equal([0, 0, 0, 1, 2, 4, 8, 16, 30, 30], delays);
        Assert.Equal(TimeSpan.Zero, admission.TryAdmit(IPAddress.Parse("192.0.2.99")).GreetingDelay);
        Assert.Single(sink.Events, e => e.MessageTemplate.Text.Contains("slowed down", StringComparison.Ordinal));
    }

    private static AccessPolicy Policy(List<RuleOptions>? listenerRules = null, List<RuleOptions>? serviceRules = null, LimitOptions? listener = null) =>
        new(AccessRule.Compile(listenerRules), AccessRule.Compile(serviceRules), [], listener ?? new LimitOptions());
}
