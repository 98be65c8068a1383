namespace Extensible.Sdk.Users;

/// <summary>Limits on an account's stored mail; zero means no limit.</summary>
/// <param name="MaxBytes">Most bytes of stored messages, or 0.</param>
/// <param name="MaxMessages">Most stored messages, or 0.</param>
public sealed record StorageQuota(long MaxBytes, long MaxMessages)
{
    /// <summary>No limits.</summary>
    public static StorageQuota Unlimited { get; } = new(0, 0);
}
