using System.Net;
using Extensible.Hosting.Configuration;
using Extensible.Hosting.Networking;
using Extensible.Sdk.Connections;

namespace Extensible.Host.Tests.Networking;

public sealed class FlowScopeTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("192.0.2.2");

    /// <summary>Each step is "peer +" (connect), "peer -" (close) or "wait N" (seconds pass); the result lists what every connect got.</summary>
    public static TheoryData<string, LimitOptions, string, string> Cases => new()
    {
        { "no limits", new LimitOptions(), "A+ A+ A+ B+", "ok ok ok ok" },
        { "max connections", new LimitOptions { MaxConnections = 2 }, "A+ B+ A+", "ok ok Busy" },
        { "max connections frees on close", new LimitOptions { MaxConnections = 2 }, "A+ B+ A- A+", "ok ok ok" },
        { "peer max connections", new LimitOptions { PeerMaxConnections = 1 }, "A+ A+ B+", "ok Busy ok" },
        { "peer max frees on close", new LimitOptions { PeerMaxConnections = 1 }, "A+ A- A+", "ok ok" },
        { "interval limit", new LimitOptions { MaxIntervalConnections = 2, TimeInterval = 30 }, "A+ A- B+ B- A+", "ok ok RateLimited" },
        { "interval limit resets after the interval", new LimitOptions { MaxIntervalConnections = 2, TimeInterval = 30 }, "A+ B+ A+ wait30 A+", "ok ok RateLimited ok" },
        { "interval without its interval uses a minute", new LimitOptions { MaxIntervalConnections = 1 }, "A+ wait59 B+ wait1 B+", "ok RateLimited ok" },
        { "peer interval limit", new LimitOptions { PeerMaxIntervalConnections = 2, PeerTimeInterval = 30 }, "A+ A- A+ A- A+ B+", "ok ok RateLimited ok" },
        { "peer interval resets", new LimitOptions { PeerMaxIntervalConnections = 1, PeerTimeInterval = 30 }, "A+ A- A+ wait30 A+", "ok RateLimited ok" },
        { "refused connects do not count", new LimitOptions { MaxConnections = 1, MaxIntervalConnections = 2, TimeInterval = 30 }, "A+ B+ B+ A- B+", "ok Busy Busy ok" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Limits_apply_as_configured(string name, LimitOptions limits, string steps, string expected)
    {
        var scope = new FlowScope();
        var now = 1_000_000L;
        var results = new List<string>();
        foreach (var step in steps.Split(' '))
        {
            if (step.StartsWith("wait", StringComparison.Ordinal))
            {
                now += long.Parse(step[4..], System.Globalization.CultureInfo.InvariantCulture) * 1000;
                continue;
            }

            var peer = step[0] == 'A' ? A : B;
            if (step[1] == '+')
            {
                results.Add(scope.TryEnter(peer, limits, now, out var refusal) ? "ok" : refusal.ToString());
            }
            else
            {
                scope.Exit(peer, now, limits);
            }
        }

        Assert.True(expected == string.Join(' ', results), $"{name}: expected {expected}, got {string.Join(' ', results)}");
    }

    [Fact]
    public void Peer_memory_is_bounded()
    {
        var scope = new FlowScope(maxPeers: 100);
        var limits = new LimitOptions { PeerMaxIntervalConnections = 5, PeerTimeInterval = 60 };
        for (var i = 0; i < 1000; i++)
        {
            var peer = new IPAddress([10, 0, (byte)(i / 256), (byte)(i % 256)]);
            Assert.True(scope.TryEnter(peer, limits, 1000 + i, out _));
            scope.Exit(peer, 1000 + i, limits);
        }

        Assert.InRange(scope.PeerCount, 1, 100);
        Assert.Equal(0, scope.Open);
    }

    [Fact]
    public void Peers_without_interval_limits_are_forgotten_on_close()
    {
        var scope = new FlowScope();
        var limits = new LimitOptions { PeerMaxConnections = 3 };

        Assert.True(scope.TryEnter(A, limits, 0, out _));
        Assert.Equal(1, scope.PeerCount);
        scope.Exit(A, 0, limits);

        Assert.Equal(0, scope.PeerCount);
    }

    [Fact]
    public void Refusal_reasons_are_busy_for_concurrency_and_rate_limited_for_intervals()
    {
        var scope = new FlowScope();
        Assert.True(scope.TryEnter(A, new LimitOptions { PeerMaxConnections = 1 }, 0, out _));

        Assert.False(scope.TryEnter(A, new LimitOptions { PeerMaxConnections = 1 }, 0, out var busy));
        Assert.False(scope.TryEnter(A, new LimitOptions { PeerMaxIntervalConnections = 1 }, 0, out var rate));

        Assert.Equal((RefusalReason.Busy, RefusalReason.RateLimited), (busy, rate));
    }
}
