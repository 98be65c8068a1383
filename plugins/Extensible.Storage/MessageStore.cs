using System.Composition;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;
using Extensible.Storage.Engine;
using Extensible.Storage.Messages;

namespace Extensible.Storage;

/// <summary>The message store over the embedded engine: mailboxes, single-instance local delivery and change watching.</summary>
[Export(typeof(IMessageStore))]
[Shared]
[method: ImportingConstructor]
public sealed class MessageStore(StorageEngine engine) : IMessageStore
{
    /// <inheritdoc />
    public async ValueTask<IMailbox> OpenMailboxAsync(MailUser user, CancellationToken cancellationToken = default)
    {
        using (var connection = engine.OpenReader())
        {
            if (connection.Scalar("SELECT 1 FROM accounts WHERE id = @a", ("@a", user.Id)) is null)
            {
                throw new StoreException(StoreError.NotFound, "the account does not exist");
            }

            if (connection.Scalar("SELECT 1 FROM folders WHERE account_id = @a AND path_key = 'INBOX'", ("@a", user.Id)) is not null)
            {
                return new Mailbox(engine, user);
            }
        }

        await engine.WriteAsync(context =>
        {
            MessageWrites.EnsureDefaultFolders(context, user.Id);
            return true;
        }, cancellationToken);
        return new Mailbox(engine, user);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LocalDeliveryResult>> DeliverAsync(IReadOnlyList<LocalDelivery> deliveries, Stream content, DateTimeOffset internalDate,
        CancellationToken cancellationToken = default)
    {
        if (deliveries.Count == 0)
        {
            return [];
        }

        PendingBlob blob;
        try
        {
            blob = await engine.Blobs.WriteAsync(content, cancellationToken);
        }
        catch (StoreException ex)
        {
            var status = ex.Error == StoreError.TooLarge ? LocalDeliveryStatus.PermanentFailure : LocalDeliveryStatus.TemporaryFailure;
            return deliveries.Select(d => new LocalDeliveryResult(d, status, 0, ex.Message)).ToList();
        }

        try
        {
            return await engine.WriteAsync(context => Deliver(context, deliveries, blob, internalDate), cancellationToken, blob.Directory);
        }
        catch (StoreException ex)
        {
            blob.Discard();
            return deliveries.Select(d => new LocalDeliveryResult(d, LocalDeliveryStatus.TemporaryFailure, 0, ex.Message)).ToList();
        }
        catch
        {
            blob.Discard();
            throw;
        }
    }

    /// <inheritdoc />
    public IDisposable WatchChanges(MailUser user, Action<MailboxChange> onChange) => engine.Changes.Watch(user.Id, onChange);

    private List<LocalDeliveryResult> Deliver(WriteContext context, IReadOnlyList<LocalDelivery> deliveries, PendingBlob blob, DateTimeOffset internalDate)
    {
        var blobId = MessageWrites.InsertBlob(context, blob);
        var results = new List<LocalDeliveryResult>(deliveries.Count);
        var delivered = 0;
        foreach (var delivery in deliveries)
        {
            var mark = context.Mark();
            context.Execute("SAVEPOINT rcpt");
            try
            {
                var enabled = context.Scalar("SELECT enabled FROM accounts WHERE id = @a", ("@a", delivery.User.Id));
                if (enabled is null || (long)enabled == 0)
                {
                    throw new StoreException(StoreError.NotAllowed, enabled is null ? "the account does not exist" : "the account is disabled");
                }

                MessageWrites.EnsureDefaultFolders(context, delivery.User.Id);
                string path;
                try
                {
                    path = FolderName.Normalize(delivery.FolderPath);
                }
                catch (StoreException)
                {
                    path = "INBOX";
                }

                var folder = MessageWrites.FindFolder(context, delivery.User.Id, path) ?? MessageWrites.FindFolder(context, delivery.User.Id, "INBOX")!;
                var keywords = Keywords.Validate(delivery.Keywords);
                MessageWrites.CheckQuota(context, delivery.User.Id, blob.Size, 1);
                var appended = MessageWrites.AddMessage(context, delivery.User.Id, folder, blobId, blob.Size, delivery.Flags, Keywords.Join(keywords), internalDate);
                context.Execute("RELEASE rcpt");
                results.Add(new LocalDeliveryResult(delivery, LocalDeliveryStatus.Delivered, appended.Uid, null));
                delivered++;
            }
            catch (StoreException ex)
            {
                context.Execute("ROLLBACK TO rcpt");
                context.Execute("RELEASE rcpt");
                context.Rewind(mark);
                var status = ex.Error switch
                {
                    StoreError.QuotaExceeded => LocalDeliveryStatus.QuotaExceeded,
                    StoreError.Unavailable => LocalDeliveryStatus.TemporaryFailure,
                    _ => LocalDeliveryStatus.PermanentFailure,
                };
                results.Add(new LocalDeliveryResult(delivery, status, 0, ex.Message));
            }
        }

        if (delivered == 0)
        {
            context.Execute("DELETE FROM blobs WHERE id = @b", ("@b", blobId));
            if (blob.FullPath is not null)
            {
                context.DeleteFileAfterCommit(blob.FullPath);
            }
        }

        return results;
    }
}
