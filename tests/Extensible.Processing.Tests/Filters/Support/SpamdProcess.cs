using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Extensible.Processing.Tests.Filters.Support;

/// <summary>Debian's real spamd (package <c>spamd</c>) on a loopback port, started for a test and killed after it.</summary>
public sealed class SpamdProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SpamdProcess(Process process, int port)
    {
        _process = process;
        Address = $"127.0.0.1:{port}";
    }

    public string Address { get; }

    /// <summary>The spamd executable, or null when it is not installed.</summary>
    public static string? Executable => new[] { "/usr/sbin/spamd", "/usr/bin/spamd" }.FirstOrDefault(File.Exists);

    /// <summary>Starts spamd and waits (bounded) until it accepts connections.</summary>
    public static async Task<SpamdProcess> StartAsync(CancellationToken cancellationToken)
    {
        var executable = Executable ?? throw new InvalidOperationException("spamd is not installed (apt-get install spamd)");
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-L", "-x", $"--listen=127.0.0.1:{port}", "--max-children=1", "--min-children=1", "-s", "stderr" })
        {
            info.ArgumentList.Add(argument);
        }

        if (Environment.UserName == "root")
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("nobody");
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("spamd did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var spamd = new SpamdProcess(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        for (var attempt = 0; attempt < 900 && DateTime.UtcNow < deadline; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"spamd exited with {process.ExitCode}");
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return spamd;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }

        await spamd.DisposeAsync();
        throw new TimeoutException("spamd did not listen within 90 seconds");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }
}
