namespace Extensible.Sdk.Users;

/// <summary>What a recipient address means to this server.</summary>
public abstract record RecipientResolution
{
    /// <summary>The address belongs to a local account (directly, by alias, domain alias or catch-all).</summary>
    public sealed record Local(MailUser User) : RecipientResolution;

    /// <summary>The address is a local forwarder to these addresses (local or remote).</summary>
    public sealed record Forward(IReadOnlyList<string> Targets) : RecipientResolution;

    /// <summary>The domain is local but no account, alias, forwarder or catch-all takes the address (550 5.1.1).</summary>
    public sealed record UnknownUser : RecipientResolution;

    /// <summary>The domain is not local; the address is remote.</summary>
    public sealed record Remote : RecipientResolution;
}
