using System.Diagnostics;
using System.Text.Json.Nodes;
using Extensible.Testing;
using MailKit.Net.Pop3;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Extensible.FunctionalTests;

/// <summary>Real clients against a <see cref="TestServer"/>: SMTP in, POP3 out, queue admin.</summary>
public static class MailTestKit
{
    public const string Password = "secret-pw";

    /// <summary>A config change giving Processing short retry intervals and POP3 plain logins on loopback.</summary>
    public static void FastQueue(JsonObject config, double schedInterval = 0.2, int maxRetryCount = 3)
    {
        var processing = TestServer.ServiceOptions(config, "processing");
        processing["SchedInterval"] = schedInterval;
        processing["MaxSchedInterval"] = Math.Max(schedInterval, 1);
        processing["MaxRetryCount"] = maxRetryCount;
        processing["PollInterval"] = 0.1;
        TestServer.ServiceOptions(config, "pop3")["PlainConnAllowLogin"] = true;
        TestServer.ServiceOptions(config, "smtp-receiving")["RelayNetworks"] = new JsonArray("127.0.0.1/32");
    }

    /// <summary>Reads the bound ports once, so later look-ups do not depend on run/listeners.json (admin commands currently delete it).</summary>
    public static void RememberPorts(TestServer server)
    {
        foreach (var (service, listener) in new[] { ("smtp-receiving", "mx"), ("pop3", "pop3") })
        {
            if (server.HasListener(service, listener))
            {
                _ = server.Port(service, listener);
            }
        }
    }

    public static MimeMessage NewMessage(string from, string to, string subject)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("client.test");
        message.Body = new TextPart("plain") { Text = "Hello " + subject + "\r\n" + new string('x', 3800) };
        return message;
    }

    /// <summary>Sends one message on its own connection; returns the server's final reply.</summary>
    public static async Task<string> SendAsync(TestServer server, MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", server.Port("smtp-receiving", "mx"), SecureSocketOptions.None, cancellationToken);
        var reply = await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
        return reply;
    }

    /// <summary>The Message-IDs in an account's INBOX, read over POP3.</summary>
    public static async Task<List<string>> InboxMessageIdsAsync(TestServer server, string user, CancellationToken cancellationToken)
    {
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", server.Port("pop3", "pop3"), SecureSocketOptions.None, cancellationToken);
        await client.AuthenticateAsync(user, Password, cancellationToken);
        var ids = new List<string>();
        for (var i = 0; i < client.Count; i++)
        {
            var headers = await client.GetMessageHeadersAsync(i, cancellationToken);
            ids.Add((headers[HeaderId.MessageId] ?? "").Trim().TrimStart('<').TrimEnd('>'));
        }
        await client.DisconnectAsync(true, cancellationToken);
        return ids;
    }

    /// <summary>All the messages in an account's INBOX, read over POP3 (small tests only).</summary>
    public static async Task<List<MimeMessage>> InboxAsync(TestServer server, string user, CancellationToken cancellationToken)
    {
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", server.Port("pop3", "pop3"), SecureSocketOptions.None, cancellationToken);
        await client.AuthenticateAsync(user, Password, cancellationToken);
        var messages = new List<MimeMessage>();
        for (var i = 0; i < client.Count; i++)
        {
            messages.Add(await client.GetMessageAsync(i, cancellationToken));
        }
        await client.DisconnectAsync(true, cancellationToken);
        return messages;
    }

    /// <summary>Polls an account's INBOX until <paramref name="condition"/> holds or the deadline passes.</summary>
    public static async Task<List<MimeMessage>> WaitForInboxAsync(TestServer server, string user, Func<List<MimeMessage>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var inbox = await InboxAsync(server, user, cancellationToken);
            if (condition(inbox))
            {
                return inbox;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"INBOX of {user} has {inbox.Count} messages; condition not met within {timeout}.\n{server.LogTail()}");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The queue ids listed by <c>extensible queue list</c>.</summary>
    public static async Task<List<string>> QueueIdsAsync(TestServer server, CancellationToken cancellationToken)
    {
        var list = (await server.AdminAsync(["queue", "list"], cancellationToken: cancellationToken)).EnsureSuccess();
        return [.. list.Output.Split('\n').Skip(1).Where(l => l.Contains('\t')).Select(l => l.Split('\t')[0])];
    }
}
