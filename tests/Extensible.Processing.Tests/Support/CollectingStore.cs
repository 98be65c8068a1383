using System.Collections.Concurrent;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Processing.Tests.Support;

/// <summary>A message store that keeps delivered messages in memory (small test messages only) and can be told to fail.</summary>
public sealed class CollectingStore : IMessageStore
{
    public ConcurrentQueue<(string Account, byte[] Content)> Delivered { get; } = new();

    public int Calls;

    /// <summary>Status returned for an account instead of delivering, or absent to deliver.</summary>
    public ConcurrentDictionary<string, LocalDeliveryStatus> Refuse { get; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<byte[]> For(string account) => Delivered.Where(d => d.Account == account).Select(d => d.Content);

    public async ValueTask<IReadOnlyList<LocalDeliveryResult>> DeliverAsync(IReadOnlyList<LocalDelivery> deliveries, Stream content, DateTimeOffset internalDate, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        var results = new List<LocalDeliveryResult>();
        foreach (var delivery in deliveries)
        {
            if (Refuse.TryGetValue(delivery.User.Address, out var status))
            {
                results.Add(new LocalDeliveryResult(delivery, status, 0, "refused by the test"));
                continue;
            }
            Delivered.Enqueue((delivery.User.Address, copy.ToArray()));
            results.Add(new LocalDeliveryResult(delivery, LocalDeliveryStatus.Delivered, (uint)Delivered.Count, null));
        }
        return results;
    }

    public ValueTask<IMailbox> OpenMailboxAsync(MailUser user, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public IDisposable WatchChanges(MailUser user, Action<MailboxChange> onChange) => throw new NotSupportedException();
}
