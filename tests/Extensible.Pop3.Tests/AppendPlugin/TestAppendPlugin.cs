using System.Composition;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Plugins;
using Extensible.Sdk.Storage;
using Extensible.Sdk.Users;

[assembly: MailPlugin("pop3-test-append", DisplayName = "POP3 tests: append files to an INBOX")]

namespace Extensible.Pop3.TestAppend;

/// <summary>A plugin with no service of its own; it exists to carry <see cref="TestAppendCommand"/>.</summary>
[Export(typeof(IMailPlugin))]
public sealed class TestAppendPlugin : IMailPlugin
{
    public ValueTask StartAsync(PluginContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask StopAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary><c>test append USER FILE... [--seen] [--deleted]</c>: appends each file, byte for byte, to the user's INBOX.</summary>
[Export(typeof(IAdminCommand))]
[method: ImportingConstructor]
public sealed class TestAppendCommand(PluginContext context) : IAdminCommand
{
    public string Name => "test append";

    public string Usage => "USER FILE... [--seen] [--deleted]";

    public string Summary => "Appends files to a user's INBOX (tests only).";

    public async ValueTask<int> RunAsync(AdminCommandContext command, CancellationToken cancellationToken)
    {
        var files = command.Arguments.Skip(1).Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
        if (command.Arguments.Count < 2 || files.Count == 0)
        {
            await command.Error.WriteLineAsync("usage: test append " + Usage);
            return 2;
        }

        var flags = (command.Arguments.Contains("--seen") ? StoreFlags.Seen : StoreFlags.None)
            | (command.Arguments.Contains("--deleted") ? StoreFlags.Deleted : StoreFlags.None);
        var user = await context.GetRequiredService<IUserDirectory>().FindAsync(command.Arguments[0], cancellationToken);
        if (user is null)
        {
            await command.Error.WriteLineAsync("no such user");
            return 1;
        }

        await using var mailbox = await context.GetRequiredService<IMessageStore>().OpenMailboxAsync(user, cancellationToken);
        foreach (var file in files)
        {
            await using var content = File.OpenRead(file);
            var result = await mailbox.AppendAsync("INBOX", content, flags, [], DateTimeOffset.UtcNow, cancellationToken);
            await command.Output.WriteLineAsync($"{result.UidValidity} {result.Uid}");
        }

        return 0;
    }
}
