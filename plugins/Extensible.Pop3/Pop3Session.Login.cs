using Extensible.Pop3.Protocol;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Pop3;

/// <summary>Entering and leaving the TRANSACTION state.</summary>
public sealed partial class Pop3Session
{
    private IDisposable? _lock;

    /// <summary>After the credentials checked out: takes the lock, honours LOGIN-DELAY, snapshots INBOX and enters TRANSACTION.</summary>
    public async ValueTask LoginAsync(MailUser user, CancellationToken cancellationToken)
    {
        if (!user.Enabled)
        {
            AuthenticationFailed(user.Address, "account disabled");
            return;
        }

        if (Options.ExclusiveLock)
        {
            _lock = _services.Locks.TryAcquire(user.Id);
            if (_lock is null)
            {
                _connection.Logger.Information("POP3 maildrop of {Account} is locked by another session", user.Address);
                WriteLine("-ERR " + Pop3ResponseCode.InUse + "Maildrop is locked by another POP3 session");
                return;
            }
        }

        if (!_services.Logins.TryRecord(user.Id, TimeSpan.FromSeconds(Options.LoginDelay)))
        {
            ReleaseLock();
            WriteLine("-ERR " + Pop3ResponseCode.LoginDelay + "Minimum time between logins has not passed");
            return;
        }

        try
        {
            Maildrop = await Pop3Maildrop.OpenAsync(_services.Store, user, cancellationToken);
        }
        catch (StoreException ex)
        {
            ReleaseLock();
            _connection.Logger.Warning(ex, "POP3 could not open the maildrop of {Account}", user.Address);
            var code = ex.Error == StoreError.Unavailable ? Pop3ResponseCode.SysTemp : Pop3ResponseCode.SysPerm;
            WriteLine("-ERR " + code + "Cannot open the maildrop");
            return;
        }

        State = Pop3State.Transaction;
        PendingUser = null;
        var (count, size) = Maildrop.Totals();
        _connection.Logger.Information("POP3 login {Account}: {Messages} messages, {Octets} octets", user.Address, count, size);
        WriteLine($"+OK Logged in, maildrop has {count} messages ({size} octets)");
    }

    /// <summary>Sets \Seen on a retrieved message, written behind the session or at its end as configured.</summary>
    public void MarkSeen(int number) => Maildrop!.MarkSeen(number, Options.DeferSeenUntilQuit);

    /// <summary>Stores deferred \Seen flags.</summary>
    public ValueTask FlushSeenAsync(CancellationToken cancellationToken) =>
        Maildrop?.FlushSeenAsync(cancellationToken) ?? ValueTask.CompletedTask;

    private void ReleaseLock()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private async ValueTask EndAsync()
    {
        try
        {
            if (Maildrop is not null)
            {
                // A dropped connection expunges nothing, but what was retrieved was seen.
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await Maildrop.FlushSeenAsync(timeout.Token);
                await Maildrop.DisposeAsync();
                Maildrop = null;
            }
        }
        catch (Exception ex) when (ex is StoreException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            _connection.Logger.Warning(ex, "POP3 could not close the maildrop");
        }
        finally
        {
            ReleaseLock();
        }
    }
}
