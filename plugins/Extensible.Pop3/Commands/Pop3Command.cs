using Extensible.Pop3.Protocol;

namespace Extensible.Pop3.Commands;

/// <summary>One POP3 command; the session checks the state before it calls <see cref="ExecuteAsync"/>.</summary>
public abstract class Pop3Command
{
    /// <summary>The command's keyword, upper case.</summary>
    public abstract string Name { get; }

    /// <summary>States the command is valid in.</summary>
    public virtual Pop3State States => Pop3State.Transaction;

    /// <summary>True when the arguments carry a secret, so the transcript redacts them.</summary>
    public virtual bool HasSecretArguments => false;

    /// <summary>Runs the command and writes its reply.</summary>
    public abstract ValueTask ExecuteAsync(Pop3Session session, string arguments, CancellationToken cancellationToken);

    /// <summary>Parses a message-number argument and checks it names a live message; writes the error and returns false otherwise.</summary>
    protected static bool TryGetMessage(Pop3Session session, string argument, out int number)
    {
        if (!TryParseNumber(argument, out number) || number == 0)
        {
            session.Error("Invalid message number");
            return false;
        }

        var maildrop = session.Maildrop!;
        if (!maildrop.Exists(number))
        {
            session.Error("No such message");
            return false;
        }

        if (!maildrop.IsLive(number))
        {
            session.Error($"Message {number} already deleted");
            return false;
        }

        return true;
    }

    /// <summary>Parses a non-negative decimal number of ASCII digits only.</summary>
    protected static bool TryParseNumber(string text, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 9)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
