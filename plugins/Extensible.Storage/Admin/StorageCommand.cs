using System.Globalization;
using Extensible.Sdk.Admin;
using Extensible.Sdk.Storage;
using Extensible.Storage.Accounts;

namespace Extensible.Storage.Admin;

/// <summary>Base of the Storage plugin's admin commands: argument helpers and uniform error handling (1 failure, 2 usage).</summary>
public abstract class StorageCommand(StorageEngine engine) : IAdminCommand
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract string Usage { get; }

    /// <inheritdoc />
    public abstract string Summary { get; }

    /// <summary>The engine.</summary>
    protected StorageEngine Engine { get; } = engine;

    /// <summary>The account repository.</summary>
    internal AccountRepository Accounts => new(Engine);

    /// <inheritdoc />
    public async ValueTask<int> RunAsync(AdminCommandContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await RunCoreAsync(context, cancellationToken);
        }
        catch (UsageException ex)
        {
            await context.Error.WriteLineAsync($"error: {ex.Message}\nusage: {Name} {Usage}");
            return 2;
        }
        catch (AccountException ex)
        {
            await context.Error.WriteLineAsync("error: " + ex.Message);
            return 1;
        }
        catch (StoreException ex)
        {
            await context.Error.WriteLineAsync("error: " + ex.Message);
            return 1;
        }
    }

    /// <summary>Runs the command; throw <see cref="UsageException"/> for bad arguments.</summary>
    protected abstract ValueTask<int> RunCoreAsync(AdminCommandContext context, CancellationToken cancellationToken);

    /// <summary>Splits arguments into positionals and <c>--name [value]</c> options; <paramref name="valued"/> lists options that take a value.</summary>
    protected static (List<string> Positional, Dictionary<string, string?> Options) Parse(IReadOnlyList<string> arguments, params string[] valued)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.StartsWith("--", StringComparison.Ordinal) && argument.Length > 2)
            {
                var equals = argument.IndexOf('=', StringComparison.Ordinal);
                var name = equals > 0 ? argument[..equals] : argument;
                if (valued.Contains(name))
                {
                    var value = equals > 0 ? argument[(equals + 1)..] : i + 1 < arguments.Count ? arguments[++i] : throw new UsageException($"{name} needs a value");
                    options[name] = value;
                }
                else if (equals < 0)
                {
                    options[name] = null;
                }
                else
                {
                    throw new UsageException($"{name} takes no value");
                }
            }
            else
            {
                positional.Add(argument);
            }
        }

        return (positional, options);
    }

    /// <summary>Throws <see cref="UsageException"/> unless the counts match and every option is known.</summary>
    protected static void Expect(List<string> positional, Dictionary<string, string?> options, int min, int max, params string[] known)
    {
        if (positional.Count < min || positional.Count > max)
        {
            throw new UsageException(positional.Count < min ? "missing argument" : "too many arguments");
        }

        foreach (var name in options.Keys)
        {
            if (!known.Contains(name))
            {
                throw new UsageException($"unknown option {name}");
            }
        }
    }

    /// <summary>Parses a size such as <c>500M</c>, <c>2G</c>, <c>100K</c> or plain bytes; 0 means unlimited.</summary>
    protected static long ParseSize(string text)
    {
        var trimmed = text.Trim().ToUpperInvariant().TrimEnd('B');
        long multiplier = 1;
        if (trimmed.Length > 0 && char.IsLetter(trimmed[^1]))
        {
            multiplier = trimmed[^1] switch
            {
                'K' => 1024L,
                'M' => 1024L * 1024,
                'G' => 1024L * 1024 * 1024,
                'T' => 1024L * 1024 * 1024 * 1024,
                _ => throw new UsageException($"'{text}' is not a size (use bytes or K, M, G, T)"),
            };
            trimmed = trimmed[..^1];
        }

        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue / multiplier)
        {
            throw new UsageException($"'{text}' is not a size (use bytes or K, M, G, T)");
        }

        return value * multiplier;
    }

    /// <summary>Parses a non-negative count.</summary>
    protected static long ParseCount(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw new UsageException($"'{text}' is not a count");

    /// <summary>Reads a password from the first line of standard input.</summary>
    protected static async Task<string> ReadPasswordAsync(TextReader input, CancellationToken cancellationToken)
    {
        var line = await input.ReadLineAsync(cancellationToken);
        if (string.IsNullOrEmpty(line))
        {
            throw new UsageException("no password on standard input");
        }

        return line;
    }

    /// <summary>Formats a byte count for people.</summary>
    protected static string FormatSize(long bytes) => bytes == 0 ? "unlimited" : bytes.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Bad command-line arguments; the command prints its usage and exits with 2.</summary>
/// <param name="message">What is wrong.</param>
public sealed class UsageException(string message) : Exception(message);
