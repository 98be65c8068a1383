using System.Net;
using Extensible.Hosting.Configuration;
using Extensible.Hosting.Networking;

namespace Extensible.Host.Tests.Networking;

public sealed class AccessPolicyTests
{
    /// <summary>Rules are written "level action address priority [disabled]"; the expectation is "allow"/"deny" and the deciding level.</summary>
    public static TheoryData<string, string[], string, string> Cases => new()
    {
        { "no rules allow by default", [], "192.0.2.1", "allow default" },
        { "single IPv4 deny", ["listener deny 192.0.2.1 500"], "192.0.2.1", "deny listener" },
        { "single IPv4 deny misses another address", ["listener deny 192.0.2.1 500"], "192.0.2.2", "allow default" },
        { "range deny, inside", ["service deny 192.0.2.10-192.0.2.20 500"], "192.0.2.15", "deny service" },
        { "range deny, first", ["service deny 192.0.2.10-192.0.2.20 500"], "192.0.2.10", "deny service" },
        { "range deny, last", ["service deny 192.0.2.10-192.0.2.20 500"], "192.0.2.20", "deny service" },
        { "range deny, just outside", ["service deny 192.0.2.10-192.0.2.20 500"], "192.0.2.21", "allow default" },
        { "CIDR deny", ["global deny 10.0.0.0/8 500"], "10.200.3.4", "deny global" },
        { "CIDR deny, outside", ["global deny 10.0.0.0/8 500"], "11.0.0.1", "allow default" },
        { "IPv6 single", ["listener deny ::1 500"], "::1", "deny listener" },
        { "IPv6 CIDR", ["listener deny 2001:db8::/32 500"], "2001:db8:1::5", "deny listener" },
        { "IPv6 CIDR outside", ["listener deny 2001:db8::/32 500"], "2001:db9::5", "allow default" },
        { "IPv6 range", ["listener deny 2001:db8::1-2001:db8::ff 500"], "2001:db8::80", "deny listener" },
        { "IPv4 rule does not match IPv6", ["listener deny 0.0.0.0/0 500"], "2001:db8::1", "allow default" },
        { "IPv4-mapped IPv6 peer matches IPv4 rule", ["listener deny 192.0.2.0/24 500"], "::ffff:192.0.2.7", "deny listener" },
        { "star matches every address", ["global deny * 500"], "2001:db8::1", "deny global" },
        { "lower number wins: allow 10 over deny 20", ["listener allow 192.0.2.0/24 10", "listener deny 192.0.2.0/24 20"], "192.0.2.1", "allow listener" },
        { "lower number wins: deny 10 over allow 20", ["listener deny 192.0.2.0/24 10", "listener allow 192.0.2.0/24 20"], "192.0.2.1", "deny listener" },
        { "deny wins a tie", ["listener allow 192.0.2.0/24 100", "listener deny 192.0.2.1 100"], "192.0.2.1", "deny listener" },
        { "deny wins a tie, written first", ["listener deny 192.0.2.1 100", "listener allow 192.0.2.0/24 100"], "192.0.2.1", "deny listener" },
        { "disabled deny is ignored", ["listener deny 192.0.2.1 1 disabled"], "192.0.2.1", "allow default" },
        { "priority 1 is highest", ["service allow 192.0.2.1 1", "service deny 192.0.2.0/24 2"], "192.0.2.1", "allow service" },
        { "priority 1000 is lowest", ["service allow 192.0.2.1 1000", "service deny 192.0.2.0/24 999"], "192.0.2.1", "deny service" },
        { "listener allow overrides service deny", ["listener allow 192.0.2.1 900", "service deny 192.0.2.1 1"], "192.0.2.1", "allow listener" },
        { "listener deny overrides service allow", ["listener deny 192.0.2.1 900", "service allow 192.0.2.1 1"], "192.0.2.1", "deny listener" },
        { "service allow overrides global deny", ["service allow 192.0.2.0/24 900", "global deny 192.0.2.1 1"], "192.0.2.1", "allow service" },
        { "global deny applies when service rules miss", ["service allow 198.51.100.0/24 1", "global deny 192.0.2.1 1"], "192.0.2.1", "deny global" },
        { "non-matching listener rule falls through to service", ["listener allow 198.51.100.1 1", "service deny 192.0.2.1 500"], "192.0.2.1", "deny service" },
        { "disabled listener rule falls through to global", ["listener allow 192.0.2.1 1 disabled", "global deny 192.0.2.1 500"], "192.0.2.1", "deny global" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_follows_axigen_precedence(string name, string[] rules, string peer, string expected)
    {
        var policy = Build(rules);

        var decision = policy.Evaluate(IPAddress.Parse(peer));

        var (action, level) = (expected.Split(' ')[0], expected.Split(' ')[1]);
        Assert.True(decision.Allowed == (action == "allow"), $"{name}: expected {expected}, got {(decision.Allowed ? "allow" : "deny")} {decision.Level}");
        Assert.Equal(level, decision.Level);
    }

    [Fact]
    public void Allow_rule_limits_override_listener_limits_and_inherit_unset_ones()
    {
        var listener = new LimitOptions { MaxConnections = 10, PeerMaxConnections = 2, IdleTimeout = 300, TimeInterval = 60 };
        var rule = new RuleOptions { Address = "10.0.0.0/8", Action = "Allow", PeerMaxConnections = 50, IdleTimeout = 30 };
        var policy = new AccessPolicy(AccessRule.Compile([rule]), [], [], listener);

        var matched = policy.LimitsFor(policy.Evaluate(IPAddress.Parse("10.1.1.1")));
        var unmatched = policy.LimitsFor(policy.Evaluate(IPAddress.Parse("192.0.2.1")));

        Assert.Equal((10, 50, 30, 60), (matched.MaxConnections, matched.PeerMaxConnections, matched.IdleTimeout, matched.TimeInterval));
        Assert.Same(listener, unmatched);
    }

    [Theory]
    [InlineData("not-an-address", "Deny")]
    [InlineData("192.0.2.9-192.0.2.1", "Deny")]
    [InlineData("10.0.0.0/33", "Deny")]
    [InlineData("192.0.2.1-::1", "Deny")]
    [InlineData("192.0.2.1", "Maybe")]
    public void Unreadable_rules_are_reported_and_skipped(string address, string action)
    {
        var problems = new List<string>();

        var rules = AccessRule.Compile([new RuleOptions { Address = address, Action = action }], problems.Add);

        Assert.Empty(rules);
        Assert.Single(problems);
    }

    [Fact]
    public void Priority_is_clamped_to_1_to_1000()
    {
        var rules = AccessRule.Compile([
            new RuleOptions { Address = "192.0.2.1", Priority = 0 },
            new RuleOptions { Address = "192.0.2.2", Priority = 5000 },
        ]);

        Assert.Equal([1, 1000], rules.Select(r => r.Priority));
    }

    private static AccessPolicy Build(string[] rules)
    {
        List<RuleOptions> Level(string level) => rules
            .Select(r => r.Split(' '))
            .Where(p => p[0] == level)
            .Select(p => new RuleOptions
            {
                Action = p[1] == "allow" ? "Allow" : "Deny",
                Address = p[2],
                Priority = int.Parse(p[3], System.Globalization.CultureInfo.InvariantCulture),
                Enabled = p.Length < 5,
            })
            .ToList();

        return new AccessPolicy(AccessRule.Compile(Level("listener")), AccessRule.Compile(Level("service")), AccessRule.Compile(Level("global")), new LimitOptions());
    }
}
