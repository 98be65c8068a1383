namespace Extensible.Storage.Engine;

/// <summary>One queued write: runs inside a batch transaction, completes after the batch commits.</summary>
internal abstract class WriteOperation
{
    /// <summary>Directories whose entries must be fsync'd before the batch commits.</summary>
    public string? SyncDirectory { get; init; }

    /// <summary>Index of the first change event this operation recorded, and how many.</summary>
    public (int Start, int Count) Changes { get; set; }

    /// <summary>Runs the operation's statements.</summary>
    public abstract void Run(WriteContext context);

    /// <summary>Marks the operation failed; its statements were rolled back.</summary>
    public abstract void Fail(Exception exception);

    /// <summary>Completes the operation after its batch committed.</summary>
    public abstract void Complete();

    /// <summary>True when <see cref="Run"/> failed and <see cref="Fail"/> was called.</summary>
    public bool Failed { get; protected set; }
}

/// <summary>A write returning a value.</summary>
internal sealed class WriteOperation<T>(Func<WriteContext, T> body) : WriteOperation
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    /// <summary>Completes with the result once committed.</summary>
    public Task<T> Task => _done.Task;

    /// <inheritdoc />
    public override void Run(WriteContext context) => _result = body(context);

    /// <inheritdoc />
    public override void Fail(Exception exception)
    {
        Failed = true;
        _done.TrySetException(exception);
    }

    /// <inheritdoc />
    public override void Complete()
    {
        if (!Failed)
        {
            _done.TrySetResult(_result);
        }
    }
}
