using System.Text;
using Extensible.Sdk.Messages;

namespace Extensible.Processing.Tests.Support;

/// <summary>A started Processing engine over a temporary data directory, with an in-memory store and a scripted remote.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private EngineHarness(ProcessingOptions options, string? dataDirectory)
    {
        Context = new TestPluginContext(options, dataDirectory);
        Engine = new ProcessingEngine(Context);
    }

    public TestPluginContext Context { get; }

    public ProcessingEngine Engine { get; }

    public CollectingStore Store { get; } = new();

    public ScriptedRemoteDelivery Remote { get; } = new();

    public DictionaryDirectory Directory { get; } = new DictionaryDirectory().WithUser("alice@example.test").WithUser("bob@example.test").WithUser("sender@example.test");

    /// <summary>Options with short intervals so retries happen within a test.</summary>
    public static ProcessingOptions FastOptions() => new()
    {
        SchedInterval = 0.05,
        MaxSchedInterval = 0.2,
        MaxRetryCount = 3,
        PollInterval = 0.05,
        FilterTimeout = 5,
    };

    public static async Task<EngineHarness> StartAsync(ProcessingOptions? options = null, Action<EngineHarness>? setup = null, string? dataDirectory = null)
    {
        var harness = new EngineHarness(options ?? FastOptions(), dataDirectory);
        harness.Context.Add<Sdk.Storage.IMessageStore>(harness.Store);
        harness.Context.Add<Sdk.Users.IUserDirectory>(harness.Directory);
        harness.Context.Add<IRemoteDelivery>(harness.Remote);
        setup?.Invoke(harness);
        await harness.Engine.StartAsync(TestContext.Current.CancellationToken);
        return harness;
    }

    public static MessageEnvelope Envelope(string from, params string[] to) => new()
    {
        MailFrom = from,
        Recipients = [.. to.Select(t => new EnvelopeRecipient(t))],
        Source = "smtp",
    };

    public static byte[] Message(string subject, string extraHeaders = "") => Encoding.ASCII.GetBytes(
        $"From: sender@example.test\r\nTo: someone@example.test\r\nSubject: {subject}\r\n{extraHeaders}Message-ID: <{Guid.NewGuid():N}@example.test>\r\n\r\nHello {subject}.\r\n");

    public ValueTask<SubmitResult> SubmitAsync(MessageEnvelope envelope, byte[] content) =>
        Engine.SubmitAsync(envelope, new MemoryStream(content), TestContext.Current.CancellationToken);

    public Task WaitForEmptyQueueAsync(TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => Engine.Database.Count() == 0, timeout ?? TimeSpan.FromSeconds(20), "an empty queue");

    public async ValueTask DisposeAsync()
    {
        await Engine.StopAsync();
        await Context.DisposeAsync();
    }
}
