using System.Net;
using Extensible.Hosting.Configuration;
using Extensible.Sdk.Connections;

namespace Extensible.Hosting.Networking;

/// <summary>
/// Decides whether a new connection to one listener is let in (AXIGEN 3.3.2): the access rules first, then the service's
/// connection cap, then the flow limits of the allow rule that matched (or of the listener), and holds its place while it
/// is open. The policy is swapped whole on reload; open connections keep the counters they were admitted under.
/// </summary>
internal sealed class ConnectionAdmission
{
    private readonly ServiceAccess _service;
    private readonly string _listener;
    private readonly FlowScope _listenerScope = new();
    private readonly Dictionary<string, FlowScope> _ruleScopes = new(StringComparer.Ordinal);
    private AccessPolicy _policy;

    /// <summary>Creates the admission of one listener.</summary>
    public ConnectionAdmission(ServiceAccess service, string listener, AccessPolicy policy)
    {
        _service = service;
        _listener = listener;
        _policy = policy;
    }

    /// <summary>The rules and limits in force; replaced on reload.</summary>
    public AccessPolicy Policy
    {
        get => Volatile.Read(ref _policy);
        set
        {
            Volatile.Write(ref _policy, value);
            lock (_ruleScopes)
            {
                // Scopes of rules that are gone keep counting their open connections through their leases.
                var keep = value.ListenerRules.Concat(value.ServiceRules).Concat(value.GlobalRules).Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
                foreach (var key in _ruleScopes.Keys.Where(k => !keep.Contains(k)).ToList())
                {
                    _ruleScopes.Remove(key);
                }
            }
        }
    }

    /// <summary>Connections open now through this listener.</summary>
    public int Open
    {
        get
        {
            lock (_ruleScopes)
            {
                return _listenerScope.Open + _ruleScopes.Values.Sum(s => s.Open);
            }
        }
    }

    /// <summary>Admits <paramref name="peer"/> or says why not; a refusal is counted and logged (throttled) here.</summary>
    public AdmissionResult TryAdmit(IPAddress peer)
    {
        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }

        var policy = Policy;
        var decision = policy.Evaluate(peer);
        if (!decision.Allowed)
        {
            return Refuse(RefusalReason.Denied, peer, $"{decision.Level} rule {decision.Rule!.Text}");
        }

        if (!_service.TryEnter())
        {
            return Refuse(RefusalReason.Busy, peer, $"service at MaxConnections {_service.MaxConnections}");
        }

        var limits = policy.LimitsFor(decision);
        var scope = decision.Rule is { } rule ? RuleScope(rule) : _listenerScope;
        var now = Environment.TickCount64;
        if (!scope.TryEnter(peer, limits, now, out var refusal))
        {
            _service.Exit();
            var where = decision.Rule is { } r ? $"limits of {decision.Level} rule {r.Text}" : "listener limits";
            return Refuse(refusal, peer, where);
        }

        var delay = _service.Penalties.DelayFor(peer, _service.MaxAuthErrors, now);
        return new AdmissionResult(new Lease(_service, scope, peer, limits), null, limits.IdleTimeout, delay);
    }

    private FlowScope RuleScope(AccessRule rule)
    {
        lock (_ruleScopes)
        {
            if (!_ruleScopes.TryGetValue(rule.Text, out var scope))
            {
                scope = new FlowScope();
                _ruleScopes[rule.Text] = scope;
            }

            return scope;
        }
    }

    private AdmissionResult Refuse(RefusalReason reason, IPAddress peer, string detail)
    {
        _service.RecordRefusal(reason, peer, _listener, detail);
        return new AdmissionResult(null, reason, 0, TimeSpan.Zero);
    }

    private sealed class Lease(ServiceAccess service, FlowScope scope, IPAddress peer, LimitOptions limits) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                scope.Exit(peer, Environment.TickCount64, limits);
                service.Exit();
            }
        }
    }
}
