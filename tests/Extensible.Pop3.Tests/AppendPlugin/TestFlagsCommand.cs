using System.Composition;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

namespace Extensible.Pop3.TestAppend;

/// <summary><c>test flags USER</c>: prints <c>UID FLAGS</c> for each message of the user's INBOX, read from the store.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class TestFlagsCommand(PluginContext context) : IAdminCommand
{
    public string Name => "test flags";

    public string Usage => "USER";

    public string Summary => "Prints the UIDs and flags of a user's INBOX (tests only).";

    public async ValueTask<int> RunAsync(AdminCommandContext command, CancellationToken cancellationToken)
    {
        if (command.Arguments.Count != 1)
        {
            await command.Error.WriteLineAsync("usage: test flags " + Usage);
            return 2;
        }

        var user = await context.GetRequiredService<IUserDirectory>().FindAsync(command.Arguments[0], cancellationToken);
        if (user is null)
        {
            await command.Error.WriteLineAsync("no such user");
            return 1;
        }

        await using var mailbox = await context.GetRequiredService<IMessageStore>().OpenMailboxAsync(user, cancellationToken);
        await using var folder = await mailbox.OpenFolderAsync("INBOX", cancellationToken);
        foreach (var message in await folder!.ListAsync(cancellationToken: cancellationToken))
        {
            await command.Output.WriteLineAsync($"{message.Uid} {message.Flags}");
        }

        return 0;
    }
}
