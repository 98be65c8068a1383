using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Extensible.Host.Tests.Support;
using Extensible.Testing;

namespace Extensible.Host.Tests.Logging;

/// <summary>Transcripts go to the rolling files only at Verbose, carry service, connection and peer, and never a password.</summary>
public sealed partial class TranscriptLoggingTests
{
    private const string Password = "correct-horse-battery-staple";

    [Fact]
    public async Task WritesAVerboseTranscriptWithAuthRedactedAndNoPasswordInAnyLog()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            LogLevel = "Information",
            ExtraPluginDirectories = [TestPlugins.Folder("Echo"), TestPlugins.Folder("Json12")],
            Configure = config => config["Logging"]!["Services"] = new JsonObject { ["echo"] = "Verbose" },
        }, ct);
        var payload = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0a@example.test\0" + Password));

        await using (var client = await LineClient.ConnectAsync(server.EndPoint("echo", "echo"), ct))
        {
            await client.ReadLineAsync(ct);
            Assert.Equal("+OK hello", await client.SendAsync("hello", ct));
            Assert.Equal("+OK authenticated", await client.SendAsync("AUTH PLAIN " + payload, ct));
            Assert.Equal("+OK authenticated", await client.SendAsync("AUTH " + Password, ct));
            Assert.Equal("+OK bye", await client.SendAsync("QUIT", ct));
        }

        await using (var other = await LineClient.ConnectAsync(server.EndPoint("json12", "json"), ct))
        {
            await other.ReadLineAsync(ct);
            await other.SendAsync("QUIT", ct);
        }

        var logs = Path.Combine(server.DataDirectory, "logs");
        string text = "";
        await Wait.UntilAsync(() =>
        {
            text = string.Concat(Directory.GetFiles(logs).Select(ReadShared));
            return text.Contains("S: +OK bye", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), "the transcript in the log file", ct);

        Assert.Matches(TranscriptLine("C: hello"), text);
        Assert.Matches(TranscriptLine("C: AUTH PLAIN <redacted>"), text);
        Assert.Matches(TranscriptLine("C: AUTH <redacted>"), text);
        Assert.DoesNotContain("[VRB] json12", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[DBG] json12", text, StringComparison.Ordinal);
        foreach (var secret in new[] { Password, payload })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(server.Logs, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static Regex TranscriptLine(string message) =>
        new(@"\[VRB\] echo [0-9a-f]{6} 127\.0\.0\.1:\d+ " + Regex.Escape(message) + "\r?\n");

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
