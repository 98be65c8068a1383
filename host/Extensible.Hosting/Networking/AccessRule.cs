using Extensible.Hosting.Configuration;

namespace Extensible.Hosting.Networking;

/// <summary>One enabled allow or deny rule, parsed (AXIGEN 3.3.2): an address set, a priority 1–1000 and, for allow rules, flow limits.</summary>
/// <param name="Range">The addresses the rule matches.</param>
/// <param name="Allow">True for an allow rule, false for a deny rule.</param>
/// <param name="Priority">1 (highest) to 1000; the lowest number wins, deny wins a tie.</param>
/// <param name="Limits">The allow rule's flow limits; 0 fields inherit the listener's.</param>
/// <param name="Text">The rule as written, for logs and as the key of its counters.</param>
public sealed record AccessRule(AddressRange Range, bool Allow, int Priority, LimitOptions Limits, string Text)
{
    /// <summary>Parses the enabled rules of one level; a rule whose address or action cannot be read is reported to <paramref name="invalid"/> and skipped.</summary>
    public static IReadOnlyList<AccessRule> Compile(IEnumerable<RuleOptions>? rules, Action<string>? invalid = null)
    {
        var result = new List<AccessRule>();
        foreach (var rule in rules ?? [])
        {
            if (!rule.Enabled)
            {
                continue;
            }

            var allow = string.Equals(rule.Action, "Allow", StringComparison.OrdinalIgnoreCase);
            if (!allow && !string.Equals(rule.Action, "Deny", StringComparison.OrdinalIgnoreCase))
            {
                invalid?.Invoke($"rule '{rule.Address}' has action '{rule.Action}', expected Allow or Deny");
                continue;
            }

            if (!AddressRange.TryParse(rule.Address, out var range))
            {
                invalid?.Invoke($"rule address '{rule.Address}' is not an IP address, a range a-b or a CIDR block");
                continue;
            }

            var priority = Math.Clamp(rule.Priority, 1, 1000);
            result.Add(new AccessRule(range, allow, priority, rule, $"{(allow ? "allow" : "deny")} {rule.Address.Trim()} priority {priority}"));
        }

        return result;
    }
}
