using System.Runtime.InteropServices;
using Extensible.Hosting;
using Extensible.Hosting.Configuration;
using Extensible.Hosting.Logging;
using Serilog;

namespace Extensible.Host;

/// <summary>The <c>extensible</c> command line: serve, config check, plugins list, and the plugins' admin commands.</summary>
internal static class CommandLine
{
    private const string Usage = """
        usage: extensible <command> [--config PATH]
          serve                 run the server (default: embedded defaults, plugins from ./plugin-bin)
          config check          validate the configuration and name every error with its JSON path
          plugins list          list every plugin found: id, version, SDK version, loaded or why not
          <words> [args]        an admin command added by a plugin (for example: user add, queue list)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var arguments = args.ToList();
        string? configPath = null;
        var index = arguments.IndexOf("--config");
        if (index >= 0)
        {
            if (index + 1 >= arguments.Count)
            {
                await Console.Error.WriteLineAsync("extensible: --config needs a path");
                return 2;
            }

            configPath = arguments[index + 1];
            arguments.RemoveRange(index, 2);
        }

        if (arguments.Count == 0 || arguments[0] is "-h" or "--help" or "help")
        {
            await Console.Out.WriteLineAsync(Usage);
            return arguments.Count == 0 ? 2 : 0;
        }

        HostConfiguration configuration;
        try
        {
            configuration = HostConfiguration.Load(configPath);
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"extensible: {ex.Message}");
            return 1;
        }

        if (arguments is ["config", "check"])
        {
            // Every error, each with its JSON path; the Server section is not needed to find them.
            return await CheckAsync(configuration);
        }

        ServerOptions server;
        try
        {
            server = configuration.GetServer();
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"extensible: {ex.GetBaseException().Message} (run: extensible config check)");
            return 1;
        }

        return arguments switch
        {
            ["serve"] => await ServeAsync(configuration, server),
            ["plugins", "list"] => await ListAsync(configuration, server),
            _ => await AdminAsync(configuration, server, arguments),
        };
    }

    private static async Task<int> ServeAsync(HostConfiguration configuration, ServerOptions server)
    {
        var errors = ConfigValidator.Validate(configuration);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"config error: {error}");
            }

            return 1;
        }

        try
        {
            Directory.CreateDirectory(server.DataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"extensible: cannot create the data directory {server.DataDirectory}: {ex.Message}");
            return 1;
        }

        Log.Logger = LoggerFactory.Create(configuration, server, out _);
        var logger = Log.Logger.ForContext("Service", "host");
        try
        {
            logger.Information("Extensible starting: server {ServerName}, data {DataDirectory}, plugins {PluginDirectory}, config {Config}",
                server.Name, server.DataDirectory, server.PluginDirectory, configuration.ConfigPath ?? "(embedded defaults)");
            // Signals are taken over before anything starts: a SIGTERM or SIGHUP during start-up must not kill the process.
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            MailHost? running = null;
            var reloadPending = 0;
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
            {
                c.Cancel = true;
                if (Volatile.Read(ref running) is { } current)
                {
                    _ = current.ReloadAsync();
                }
                else
                {
                    Interlocked.Exchange(ref reloadPending, 1);
                }
            });
            var services = MailHost.CreateHostServices(configuration, server, Log.Logger, adminMode: false);
            await using var host = await MailHost.StartAsync(services);
            Volatile.Write(ref running, host);
            if (host.Services.Count == 0)
            {
                logger.Fatal("No service could be started from {PluginDirectory}; build the plugins with: dotnet build Extensible.sln -c Release", server.PluginDirectory);
                return 1;
            }

            if (Interlocked.Exchange(ref reloadPending, 0) == 1)
            {
                await host.ReloadAsync();
            }

            logger.Information("Extensible running with {Count} services: {Services}", host.Services.Count, string.Join(", ", host.Services.Select(s => s.Id)));
            await stop.Task;
            logger.Information("Shutting down");
            await host.StopAsync();
            return 0;
        }
        catch (Exception ex)
        {
            logger.Fatal(ex, "Extensible stopped unexpectedly");
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    private static async Task<int> CheckAsync(HostConfiguration configuration)
    {
        var errors = ConfigValidator.Validate(configuration);
        foreach (var error in errors)
        {
            await Console.Error.WriteLineAsync($"error: {error}");
        }

        if (errors.Count == 0)
        {
            await Console.Out.WriteLineAsync($"{configuration.ConfigPath ?? "embedded defaults"}: OK");
            return 0;
        }

        await Console.Error.WriteLineAsync($"{errors.Count} error(s) in {configuration.ConfigPath ?? "the environment"}");
        return 1;
    }

    private static async Task<int> ListAsync(HostConfiguration configuration, ServerOptions server)
    {
        // Refusals are in the table; the logger only carries what the table cannot say.
        using var logger = new LoggerConfiguration().MinimumLevel.Error()
            .WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose, outputTemplate: "{Level:u3} {Message:lj}{NewLine}")
            .CreateLogger();
        var services = MailHost.CreateHostServices(configuration, server, logger, adminMode: true);
        var plugins = await MailHost.ListPluginsAsync(services);
        await Console.Out.WriteLineAsync($"{"FOLDER",-16} {"ID",-16} {"VERSION",-10} {"SDK",-8} STATUS");
        foreach (var plugin in plugins)
        {
            var status = plugin.Loaded ? "loaded" : "refused: " + plugin.Reason;
            await Console.Out.WriteLineAsync($"{plugin.Folder,-16} {plugin.Id ?? "-",-16} {plugin.Version ?? "-",-10} {plugin.BuiltAgainstSdk ?? "-",-8} {status}");
        }

        if (plugins.Count == 0)
        {
            await Console.Out.WriteLineAsync($"(no plugin folders in {server.PluginDirectory})");
        }

        return 0;
    }

    private static async Task<int> AdminAsync(HostConfiguration configuration, ServerOptions server, List<string> arguments)
    {
        // Admin commands log only warnings and errors, to stderr, so their output stays clean.
        using var logger = new LoggerConfiguration().MinimumLevel.Warning()
            .WriteTo.Console(standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose, outputTemplate: "{Level:u3} {Message:lj}{NewLine}")
            .CreateLogger();
        try
        {
            var services = MailHost.CreateHostServices(configuration, server, logger, adminMode: true);
            return await MailHost.RunAdminCommandAsync(services, arguments, Console.In, Console.Out, Console.Error);
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"extensible: {ex.Message}");
            return 1;
        }
    }
}
