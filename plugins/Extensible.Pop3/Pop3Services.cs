using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Pop3;

/// <summary>What every session of the service shares: contracts, options as of the last reload, locks and login history.</summary>
/// <param name="Store">The message store.</param>
/// <param name="Users">The user directory.</param>
/// <param name="Options">The options.</param>
/// <param name="ServerName">The server name for greetings.</param>
/// <param name="Locks">The exclusive maildrop locks.</param>
/// <param name="Logins">Last logins, for LOGIN-DELAY.</param>
public sealed record Pop3Services(IMessageStore Store, IUserDirectory Users, Pop3Options Options, string ServerName, Pop3LockTable Locks, Pop3LoginHistory Logins);
