namespace Extensible.Sdk.Admin;

/// <summary>A command a plugin adds to the <c>extensible</c> command line (for example <c>user add</c>, <c>queue list</c>).</summary>
/// <remarks>Commands run in a separate process from the server, on the same data directory; they must be safe while it runs.</remarks>
public interface IAdminCommand
{
    /// <summary>The words that select the command, space-separated (for example <c>user add</c>).</summary>
    string Name { get; }

    /// <summary>One line of usage after the name (for example <c>ADDRESS [--password-stdin] [--quota SIZE]</c>).</summary>
    string Usage { get; }

    /// <summary>One sentence shown in the help.</summary>
    string Summary { get; }

    /// <summary>Runs the command; returns the exit code (0 success, 1 failure, 2 usage error).</summary>
    ValueTask<int> RunAsync(AdminCommandContext context, CancellationToken cancellationToken);
}

/// <summary>What an admin command gets to work with.</summary>
/// <param name="Arguments">The arguments after the command's name.</param>
/// <param name="Input">Standard input (for <c>--password-stdin</c>).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error, for error messages.</param>
public sealed record AdminCommandContext(IReadOnlyList<string> Arguments, TextReader Input, TextWriter Output, TextWriter Error);
