using Extensible.Testing;

namespace Extensible.Host.Tests.Configuration;

/// <summary><c>extensible config check</c> run as an admin runs it, on real files.</summary>
public sealed class ConfigCheckTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("extensible-config-").FullName;

    [Fact]
    public async Task AcceptsTheSampleConfigurationWithItsComments()
    {
        var result = await TestServer.RunHostAsync(["config", "check", "--config", Path.Combine(RepoPaths.Root, "extensible.sample.json")], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("OK", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesEveryErrorWithItsJsonPathAndFails()
    {
        var path = Write("""
            {
              "Server": { "Nmae": "x", "ShutdownTimeout": "soon" },
              "Logging": { "MinimumLevel": "Loud", "File": { "Enbled": false } },
              "Dnr": { "NameServers": [ { "Address": "not-an-ip" } ], "TimeoutSeconds": 0 },
              "Services": {
                "imap": {
                  "Threads": { "MinThreads": 9, "MaxThreads": 2 },
                  "Listeners": [ { "Name": "imap", "Address": "127.0.0.1:99999" } ],
                  "Rules": [ { "Address": "10.0.0.0/33", "Action": "Maybe", "Priority": 0 } ]
                }
              },
              "Extra": 1
            }
            """);

        var result = await TestServer.RunHostAsync(["config", "check", "--config", path], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        string[] paths =
        [
            "Server:Nmae", "Server:", "Logging:", "Logging:File:Enbled", "Dnr:NameServers:0:Address", "Dnr:TimeoutSeconds",
            "Services:imap:Threads", "Services:imap:Listeners:0:Address", "Services:imap:Rules:0:Address",
            "Services:imap:Rules:0:Action", "Services:imap:Rules:0:Priority", "Extra",
        ];
        foreach (var expected in paths)
        {
            Assert.Contains(result.Error.Split('\n'), l => l.StartsWith("error: " + expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ReportsMalformedJsonWithTheFileAndPosition()
    {
        var path = Write("{ \"Server\": { \"Name\": } }");

        var check = await TestServer.RunHostAsync(["config", "check", "--config", path], cancellationToken: TestContext.Current.CancellationToken);
        var serve = await TestServer.RunHostAsync(["serve", "--config", path], cancellationToken: TestContext.Current.CancellationToken);

        foreach (var result in new[] { check, serve })
        {
            Assert.Equal(1, result.ExitCode);
            var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(path, line, StringComparison.Ordinal);
            Assert.Contains("not valid JSON", line, StringComparison.Ordinal);
            Assert.Contains("LineNumber: 0", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ServeRefusesAnInvalidConfigurationWithEveryErrorAndANonZeroExit()
    {
        var path = Write("""{ "Services": { "echo": { "MaxErrors": 0 } } }""");

        var result = await TestServer.RunHostAsync(["serve", "--config", path], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("config error: Services:echo: MaxErrors", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentVariablesOverrideTheFile()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await TestServer.StartAsync(new TestServerOptions
        {
            ExtraPluginDirectories = [Support.TestPlugins.Folder("Echo")],
            Configure = config => TestServer.ServiceOptions(config, "echo")["Greeting"] = "from the file",
            Environment = new Dictionary<string, string> { ["EXTENSIBLE__Services__echo__Options__Greeting"] = "from-the-environment" },
        }, ct);

        await using var client = await Support.LineClient.ConnectAsync(server.EndPoint("echo", "echo"), ct);

        Assert.Equal("+OK from-the-environment plain", await client.ReadLineAsync(ct));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_root, Guid.NewGuid().ToString("n")[..8] + ".json");
        File.WriteAllText(path, json);
        return path;
    }
}
