using System.Collections.Frozen;

namespace Extensible.Pop3.Commands;

/// <summary>Every command the service knows, looked up by keyword without case.</summary>
public static class Pop3CommandTable
{
    private static readonly FrozenDictionary<string, Pop3Command> Commands = new Pop3Command[]
    {
        new CapaCommand(), new UserCommand(), new PassCommand(), new AuthCommand(), new StlsCommand(),
        new StatCommand(), new ListCommand(), new UidlCommand(), new RetrCommand(), new TopCommand(),
        new DeleCommand(), new NoopCommand(), new RsetCommand(), new QuitCommand(),
    }.ToFrozenDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The command for <paramref name="verb"/>, or null when there is none.</summary>
    public static Pop3Command? Find(string verb) => Commands.GetValueOrDefault(verb);
}
