using System.Globalization;

namespace Extensible.Bench.Smtp;

/// <summary>Command-line options of the SMTP load generator (named after Postfix's smtp-source where they match).</summary>
internal sealed class BenchOptions
{
    public string Host { get; private set; } = "127.0.0.1";

    public int Port { get; private set; } = 2525;

    /// <summary>-s: concurrent sessions.</summary>
    public int Sessions { get; private set; } = 20;

    /// <summary>-m: messages in total.</summary>
    public int Messages { get; private set; } = 10_000;

    /// <summary>-l: message size in bytes.</summary>
    public int Size { get; private set; } = 4096;

    /// <summary>-r: messages per connection (1 = one message per connection).</summary>
    public int PerConnection { get; private set; } = 1;

    /// <summary>Send MAIL, RCPT and DATA in one write (RFC 2920) instead of waiting for each reply.</summary>
    public bool Pipelining { get; private set; } = true;

    public string From { get; private set; } = "bench@remote.test";

    /// <summary>Recipients, used in turn, one per message.</summary>
    public List<string> To { get; } = [];

    /// <summary>Messages sent before measuring, to warm the server up.</summary>
    public int Warmup { get; private set; } = 200;

    /// <summary>Wait until this many messages are in the Maildir new/ folders given (Postfix's local delivery).</summary>
    public List<string> Maildirs { get; } = [];

    /// <summary>POP3 port to count delivered messages in each recipient's INBOX (our server); password for all.</summary>
    public int Pop3Port { get; private set; }

    public string Pop3Password { get; private set; } = "bench";

    public int DeliveryTimeoutSeconds { get; private set; } = 300;

    public string Label { get; private set; } = "run";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException("missing value after " + args[i]);
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--host": options.Host = Next(); break;
                case "--port": options.Port = NextInt(); break;
                case "-s" or "--sessions": options.Sessions = NextInt(); break;
                case "-m" or "--messages": options.Messages = NextInt(); break;
                case "-l" or "--size": options.Size = NextInt(); break;
                case "-r" or "--per-connection": options.PerConnection = NextInt(); break;
                case "--no-pipelining": options.Pipelining = false; break;
                case "--from": options.From = Next(); break;
                case "--to": options.To.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--warmup": options.Warmup = NextInt(); break;
                case "--maildir": options.Maildirs.Add(Next()); break;
                case "--pop3-port": options.Pop3Port = NextInt(); break;
                case "--pop3-password": options.Pop3Password = Next(); break;
                case "--delivery-timeout": options.DeliveryTimeoutSeconds = NextInt(); break;
                case "--label": options.Label = Next(); break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }

        if (options.To.Count == 0)
        {
            options.To.Add("bench@example.test");
        }

        if (options.Sessions < 1 || options.Messages < 1 || options.PerConnection < 1 || options.Size < 64)
        {
            throw new ArgumentException("sessions, messages and per-connection must be positive; size at least 64");
        }

        return options;
    }
}
