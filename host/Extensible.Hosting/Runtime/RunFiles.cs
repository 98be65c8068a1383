using System.Net;
using System.Text.Json;

namespace Extensible.Hosting.Runtime;

/// <summary>Writes <c>&lt;data&gt;/run/listeners.json</c> atomically so tools and tests can find the bound ports.</summary>
internal static class RunFiles
{
    public static void WriteListeners(string dataDirectory, IEnumerable<PluginRuntime> runtimes)
    {
        var folder = Path.Combine(dataDirectory, "run");
        Directory.CreateDirectory(folder);
        var document = new
        {
            pid = Environment.ProcessId,
            listeners = runtimes.SelectMany(r => r.Listeners.Select(l => new
            {
                service = r.Id,
                name = l.Name,
                address = ((IPEndPoint)l.BoundEndPoint).Address.ToString(),
                port = ((IPEndPoint)l.BoundEndPoint).Port,
                implicitTls = l.ImplicitTls,
            })).ToList(),
        };
        var path = Path.Combine(folder, "listeners.json");
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }

    public static void DeleteListeners(string dataDirectory)
    {
        try
        {
            File.Delete(Path.Combine(dataDirectory, "run", "listeners.json"));
        }
        catch (IOException)
        {
        }
    }
}
