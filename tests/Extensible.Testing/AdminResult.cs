namespace Extensible.Testing;

/// <summary>What an <c>extensible</c> admin command printed and returned.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record AdminResult(int ExitCode, string Output, string Error)
{
    /// <summary>Throws with both streams when the command failed.</summary>
    public AdminResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException($"admin command failed ({ExitCode}): {Error}\n{Output}");
}
