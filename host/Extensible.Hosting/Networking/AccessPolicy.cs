using System.Net;
using Extensible.Hosting.Configuration;

namespace Extensible.Hosting.Networking;

/// <summary>
/// The access rules and flow limits in force on one listener (immutable; replaced on reload). Listener rules are looked at
/// first, then the service's, then the global ones; the first level with a matching rule decides, and within a level the
/// lowest priority number wins, deny winning a tie. No match anywhere allows, under the listener's limits.
/// </summary>
public sealed class AccessPolicy
{
    /// <summary>Creates a policy from parsed rules of the three levels and the listener's limits.</summary>
    public AccessPolicy(IReadOnlyList<AccessRule> listenerRules, IReadOnlyList<AccessRule> serviceRules, IReadOnlyList<AccessRule> globalRules, LimitOptions listenerLimits)
    {
        ListenerRules = listenerRules;
        ServiceRules = serviceRules;
        GlobalRules = globalRules;
        ListenerLimits = listenerLimits;
    }

    /// <summary>A policy that allows everyone without limits.</summary>
    public static AccessPolicy Open { get; } = new([], [], [], new LimitOptions());

    /// <summary>Rules of the listener.</summary>
    public IReadOnlyList<AccessRule> ListenerRules { get; }

    /// <summary>Rules of the service.</summary>
    public IReadOnlyList<AccessRule> ServiceRules { get; }

    /// <summary>Global rules.</summary>
    public IReadOnlyList<AccessRule> GlobalRules { get; }

    /// <summary>The listener's own limits, used for connections no allow rule matched.</summary>
    public LimitOptions ListenerLimits { get; }

    /// <summary>Decides whether <paramref name="peer"/> may connect, and which rule decided.</summary>
    public AccessDecision Evaluate(IPAddress peer)
    {
        if (Winner(ListenerRules, peer) is { } listener)
        {
            return new AccessDecision(listener.Allow, listener, "listener");
        }

        if (Winner(ServiceRules, peer) is { } service)
        {
            return new AccessDecision(service.Allow, service, "service");
        }

        if (Winner(GlobalRules, peer) is { } global)
        {
            return new AccessDecision(global.Allow, global, "global");
        }

        return new AccessDecision(true, null, "default");
    }

    /// <summary>The limits for a connection the decision allowed: the allow rule's, each 0 field taken from the listener's.</summary>
    public LimitOptions LimitsFor(AccessDecision decision)
    {
        if (decision.Rule is not { Allow: true } rule)
        {
            return ListenerLimits;
        }

        var own = rule.Limits;
        var fallback = ListenerLimits;
        return new LimitOptions
        {
            MaxConnections = Pick(own.MaxConnections, fallback.MaxConnections),
            PeerMaxConnections = Pick(own.PeerMaxConnections, fallback.PeerMaxConnections),
            MaxIntervalConnections = Pick(own.MaxIntervalConnections, fallback.MaxIntervalConnections),
            TimeInterval = Pick(own.TimeInterval, fallback.TimeInterval),
            PeerMaxIntervalConnections = Pick(own.PeerMaxIntervalConnections, fallback.PeerMaxIntervalConnections),
            PeerTimeInterval = Pick(own.PeerTimeInterval, fallback.PeerTimeInterval),
            IdleTimeout = Pick(own.IdleTimeout, fallback.IdleTimeout),
        };
    }

    /// <summary>The matching rule with the lowest priority number (deny wins a tie), or null when none matches.</summary>
    public static AccessRule? Winner(IReadOnlyList<AccessRule> rules, IPAddress peer)
    {
        AccessRule? best = null;
        foreach (var rule in rules)
        {
            if (!rule.Range.Contains(peer))
            {
                continue;
            }

            if (best is null || rule.Priority < best.Priority || (rule.Priority == best.Priority && !rule.Allow && best.Allow))
            {
                best = rule;
            }
        }

        return best;
    }

    private static int Pick(int own, int fallback) => own > 0 ? own : fallback;
}
