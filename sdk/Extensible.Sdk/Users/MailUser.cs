namespace Extensible.Sdk.Users;

/// <summary>An account as the directory knows it; <see cref="Id"/> is stable across renames and keys the store.</summary>
/// <param name="Id">Stable account id.</param>
/// <param name="Address">Primary address, <c>local@domain</c>, domain lower-cased.</param>
/// <param name="DisplayName">Display name, or null.</param>
/// <param name="Aliases">Other addresses delivered to this account.</param>
/// <param name="Quota">Storage limits, or <see cref="StorageQuota.Unlimited"/>.</param>
/// <param name="Enabled">False when the account may not log in or receive mail.</param>
public sealed record MailUser(string Id, string Address, string? DisplayName, IReadOnlyList<string> Aliases, StorageQuota Quota, bool Enabled = true)
{
    /// <summary>The domain part of <see cref="Address"/>.</summary>
    public string Domain => Address[(Address.LastIndexOf('@') + 1)..];
}
