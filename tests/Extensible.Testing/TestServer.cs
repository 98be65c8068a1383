using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Extensible.Testing;

/// <summary>The real server, run out of process from the repository's build on a temporary data directory and plugin-bin.</summary>
public sealed partial class TestServer : IAsyncDisposable
{
    /// <summary>The local domain tests use.</summary>
    public const string DefaultDomain = "example.test";

    private const int MaxLogLines = 50_000;

    private readonly TestServerOptions _options;
    private readonly ConcurrentQueue<string> _logs = new();
    private Process? _process;
    private JsonDocument? _listeners;

    private TestServer(TestServerOptions options, string root)
    {
        _options = options;
        Root = root;
        PluginDirectory = Path.Combine(root, "plugin-bin");
        DataDirectory = Path.Combine(root, "data");
        ConfigPath = Path.Combine(root, "extensible.json");
    }

    /// <summary>The test's temporary folder.</summary>
    public string Root { get; }

    /// <summary>The server's plugin-bin (copy plugin folders here to hot-add them).</summary>
    public string PluginDirectory { get; }

    /// <summary>The server's data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The generated config file.</summary>
    public string ConfigPath { get; }

    /// <summary>The server's process id while it runs.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>True while the server process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's stdout and stderr lines so far.</summary>
    public IReadOnlyList<string> Logs => _logs.ToArray();

    /// <summary>Prepares a temporary folder, copies the plugins, writes the config and starts the server.</summary>
    public static async Task<TestServer> StartAsync(TestServerOptions options, CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(Path.GetTempPath(), "extensible-tests", Guid.NewGuid().ToString("n")[..12]);
        var server = new TestServer(options, root);
        Directory.CreateDirectory(server.PluginDirectory);
        Directory.CreateDirectory(server.DataDirectory);
        foreach (var plugin in options.Plugins)
        {
            var source = Path.Combine(RepoPaths.PluginBin, plugin);
            if (!Directory.Exists(source))
            {
                throw new InvalidOperationException($"plugin folder {source} does not exist: build the solution first");
            }

            CopyDirectory(source, Path.Combine(server.PluginDirectory, plugin));
        }

        foreach (var extra in options.ExtraPluginDirectories)
        {
            CopyDirectory(extra, Path.Combine(server.PluginDirectory, Path.GetFileName(extra.TrimEnd('/'))));
        }

        var config = DefaultConfig(options.LogLevel);
        options.Configure?.Invoke(config);
        await File.WriteAllTextAsync(server.ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        try
        {
            await server.LaunchAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>The config every test server starts from: loopback port 0 for every default listener.</summary>
    public static JsonObject DefaultConfig(string logLevel = "Debug") => new()
    {
        ["Server"] = new JsonObject
        {
            ["Name"] = "mail.example.test",
            ["PrimaryDomain"] = DefaultDomain,
            ["DataDirectory"] = "data",
            ["PluginDirectory"] = "plugin-bin",
            ["DefaultListenerAddress"] = "127.0.0.1:0",
            ["ShutdownTimeout"] = 5,
        },
        ["Logging"] = new JsonObject
        {
            ["MinimumLevel"] = logLevel,
            ["Console"] = true,
            ["File"] = new JsonObject { ["Enabled"] = true },
        },
        ["Services"] = new JsonObject(),
    };

    /// <summary>Returns (creating it) the <c>Services:&lt;id&gt;</c> object of a config.</summary>
    public static JsonObject Service(JsonObject config, string serviceId)
    {
        var services = config["Services"] as JsonObject ?? (JsonObject)(config["Services"] = new JsonObject());
        return services[serviceId] as JsonObject ?? (JsonObject)(services[serviceId] = new JsonObject());
    }

    /// <summary>Returns (creating it) the <c>Services:&lt;id&gt;:Options</c> object of a config.</summary>
    public static JsonObject ServiceOptions(JsonObject config, string serviceId)
    {
        var service = Service(config, serviceId);
        return service["Options"] as JsonObject ?? (JsonObject)(service["Options"] = new JsonObject());
    }

    /// <summary>The port a listener of a service is bound to.</summary>
    public int Port(string serviceId, string listenerName) => EndPoint(serviceId, listenerName).Port;

    /// <summary>The address a listener of a service is bound to.</summary>
    public IPEndPoint EndPoint(string serviceId, string listenerName)
    {
        foreach (var listener in ReadListeners().RootElement.GetProperty("listeners").EnumerateArray())
        {
            if (listener.GetProperty("service").GetString() == serviceId && listener.GetProperty("name").GetString() == listenerName)
            {
                return new IPEndPoint(IPAddress.Parse(listener.GetProperty("address").GetString()!), listener.GetProperty("port").GetInt32());
            }
        }

        throw new InvalidOperationException($"no listener {serviceId}/{listenerName} is running; logs:\n{LogTail()}");
    }

    /// <summary>True when the run file lists the listener now.</summary>
    public bool HasListener(string serviceId, string listenerName)
    {
        _listeners = null;
        try
        {
            return ReadListeners().RootElement.GetProperty("listeners").EnumerateArray()
                .Any(l => l.GetProperty("service").GetString() == serviceId && l.GetProperty("name").GetString() == listenerName);
        }
        catch (Exception ex) when (ex is IOException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Runs <c>extensible ARGS --config CONFIG</c> and returns what it printed.</summary>
    public Task<AdminResult> AdminAsync(IReadOnlyList<string> arguments, string? stdin = null, CancellationToken cancellationToken = default) =>
        RunHostAsync([.. arguments, "--config", ConfigPath], stdin, cancellationToken);

    /// <summary>Runs the host executable with any arguments (for <c>config check</c>, <c>plugins list</c>, ...).</summary>
    public static async Task<AdminResult> RunHostAsync(IReadOnlyList<string> arguments, string? stdin = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.HostDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new AdminResult(process.ExitCode, await output, await error);
    }

    /// <summary>Adds the address's domain (when missing) and the user with a password.</summary>
    public async Task AddUserAsync(string address, string password, CancellationToken cancellationToken = default)
    {
        var domain = address[(address.LastIndexOf('@') + 1)..];
        await AddDomainAsync(domain, cancellationToken);
        (await AdminAsync(["user", "add", address, "--password-stdin"], password + "\n", cancellationToken)).EnsureSuccess();
    }

    /// <summary>Adds a local domain unless it exists.</summary>
    public async Task AddDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        var list = await AdminAsync(["domain", "list"], cancellationToken: cancellationToken);
        if (!list.Output.Split('\n').Any(l => l.Trim().Split(' ', '\t')[0].Equals(domain, StringComparison.OrdinalIgnoreCase)))
        {
            (await AdminAsync(["domain", "add", domain], cancellationToken: cancellationToken)).EnsureSuccess();
        }
    }

    /// <summary>Waits until a log line matches, or throws after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = _logs.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"no matching log line within {timeout}; logs:\n{LogTail()}");
    }

    /// <summary>The last log lines, for failure messages.</summary>
    public string LogTail(int lines = 60) => string.Join('\n', _logs.ToArray().TakeLast(lines));

    /// <summary>Kills the server with SIGKILL, as a crash would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Asks the server to stop (SIGTERM) and waits for it; kills it after <paramref name="timeout"/>.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (_process is not { } process)
        {
            return 0;
        }

        if (!process.HasExited)
        {
            _ = Kill(process.Id, SigTerm);
            using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        return process.ExitCode;
    }

    /// <summary>Sends SIGHUP so the server reloads its configuration, and waits for it to say so.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken = default)
    {
        var before = _logs.Count(l => l.Contains("Configuration reload", StringComparison.Ordinal));
        _ = Kill(_process!.Id, SigHup);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (_logs.Count(l => l.Contains("Configuration reload", StringComparison.Ordinal)) == before)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the server did not report a reload; logs:\n" + LogTail());
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Rewrites the config file (then call <see cref="ReloadAsync"/> or <see cref="RestartAsync"/>).</summary>
    public async Task RewriteConfigAsync(Action<JsonObject> change, CancellationToken cancellationToken = default)
    {
        var config = JsonNode.Parse(await File.ReadAllTextAsync(ConfigPath, cancellationToken))!.AsObject();
        change(config);
        await File.WriteAllTextAsync(ConfigPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
    }

    /// <summary>Starts the server again on the same folder (after <see cref="KillAsync"/> or <see cref="StopAsync"/>).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        _process?.Dispose();
        _process = null;
        await LaunchAsync(cancellationToken);
    }

    /// <summary>Stops the server and deletes the temporary folder.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(15));
        }
        catch (InvalidOperationException)
        {
        }

        _process?.Dispose();
        _listeners?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task LaunchAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(RepoPaths.HostDll))
        {
            throw new InvalidOperationException($"host not built: {RepoPaths.HostDll}");
        }

        var runFile = Path.Combine(DataDirectory, "run", "listeners.json");
        if (File.Exists(runFile)) { File.Delete(runFile); }
        _listeners = null;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        start.ArgumentList.Add(RepoPaths.HostDll);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(ConfigPath);
        foreach (var (key, value) in _options.Environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => AddLog(e.Data);
        process.ErrorDataReceived += (_, e) => AddLog(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + _options.StartTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await Task.Delay(200, cancellationToken);
                throw new InvalidOperationException($"the server exited with code {process.ExitCode} while starting; logs:\n{LogTail()}");
            }

            if (File.Exists(runFile))
            {
                try
                {
                    using var document = JsonDocument.Parse(await File.ReadAllTextAsync(runFile, cancellationToken));
                    var ready = document.RootElement.GetProperty("pid").GetInt32() == process.Id
                        && (!_options.WaitForListeners || document.RootElement.GetProperty("listeners").GetArrayLength() > 0);
                    if (ready)
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is IOException or JsonException)
                {
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the server did not start listening within {_options.StartTimeout}; logs:\n{LogTail()}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private JsonDocument ReadListeners()
    {
        if (_listeners is null)
        {
            var path = Path.Combine(DataDirectory, "run", "listeners.json");
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    _listeners = JsonDocument.Parse(File.ReadAllText(path));
                    break;
                }
                catch (IOException) when (attempt < 20)
                {
                    Thread.Sleep(25);
                }
            }
        }

        return _listeners;
    }

    /// <summary>Forgets the cached listener list (after plugins were added or removed).</summary>
    public void RefreshListeners()
    {
        _listeners?.Dispose();
        _listeners = null;
    }

    private void AddLog(string? line)
    {
        if (line is null)
        {
            return;
        }

        _logs.Enqueue(line);
        while (_logs.Count > MaxLogLines && _logs.TryDequeue(out _))
        {
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }

    private const int SigHup = 1;
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
