using Extensible.Sdk.Messages;

namespace Extensible.Processing.Filters;

/// <summary>Collects RFC 8601 result clauses (<c>spf=pass smtp.mailfrom=...</c>) from the verifying filters for one header.</summary>
public static class AuthenticationResults
{
    private const string ItemKey = "authentication-results";

    /// <summary>Adds a result clause for the message.</summary>
    public static void Add(MessageContext message, string clause)
    {
        if (!message.Items.TryGetValue(ItemKey, out var value) || value is not List<string> clauses)
        {
            clauses = [];
            message.Items[ItemKey] = clauses;
        }

        clauses.Add(clause);
    }

    /// <summary>The clauses collected so far.</summary>
    public static IReadOnlyList<string> Get(MessageContext message) =>
        message.Items.TryGetValue(ItemKey, out var value) && value is List<string> clauses ? clauses : [];
}
