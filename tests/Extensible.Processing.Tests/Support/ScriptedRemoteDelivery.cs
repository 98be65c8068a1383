using System.Collections.Concurrent;
using Extensible.Sdk.Messages;

namespace Extensible.Processing.Tests.Support;

/// <summary>Remote delivery whose answer per domain the test sets; records each attempt and the content it was given.</summary>
public sealed class ScriptedRemoteDelivery : IRemoteDelivery
{
    public ConcurrentDictionary<string, RemoteDeliveryStatus> Answers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<(string QueueId, string Domain, string[] Recipients, byte[] Content)> Attempts { get; } = new();

    public async ValueTask<IReadOnlyList<RemoteRecipientResult>> DeliverAsync(RemoteDeliveryRequest request, CancellationToken cancellationToken = default)
    {
        await using var content = await request.OpenContentAsync(cancellationToken);
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        Attempts.Enqueue((request.QueueId, request.Domain, [.. request.Recipients.Select(r => r.Address)], copy.ToArray()));
        var status = Answers.GetValueOrDefault(request.Domain, RemoteDeliveryStatus.TemporaryFailure);
        var (code, text) = status switch
        {
            RemoteDeliveryStatus.Delivered => ("2.0.0", "smtp; 250 2.0.0 OK"),
            RemoteDeliveryStatus.PermanentFailure => ("5.1.1", "smtp; 550 5.1.1 No such user"),
            _ => ("4.4.1", "smtp; 421 4.4.1 Connection refused"),
        };
        return [.. request.Recipients.Select(r => new RemoteRecipientResult(r, status, text, "mx." + request.Domain, code))];
    }
}
