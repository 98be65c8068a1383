using System.Buffers;
using System.Text;
using Extensible.Sdk.Plugins;

namespace Extensible.Pop3.Tests.InMemory;

/// <summary>Runs one <see cref="Pop3Session"/> over an <see cref="InMemoryConnection"/> and plays the client, line by line.</summary>
public sealed class SessionHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout;

    private SessionHarness(InMemoryConnection connection, Pop3Services services)
    {
        Connection = connection;
        _timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _timeout.CancelAfter(TimeSpan.FromSeconds(30));
        Session = Task.Run(async () =>
        {
            try
            {
                await new Pop3Session(connection, services).RunAsync();
            }
            finally
            {
                // What the host does when the handler's task ends: close the transport.
                await connection.Transport.Output.CompleteAsync();
            }
        });
    }

    public InMemoryConnection Connection { get; }

    public Task Session { get; }

    public static SessionHarness Start(InMemoryStore store, Pop3Options? options = null, ServiceLimits? limits = null, Pop3LockTable? locks = null, Pop3LoginHistory? logins = null, bool secure = false)
    {
        var services = new Pop3Services(store, store, options ?? new Pop3Options { PlainConnAllowLogin = true }, "mail.example.test",
            locks ?? new Pop3LockTable(), logins ?? new Pop3LoginHistory(TimeProvider.System));
        return new SessionHarness(new InMemoryConnection(secure, limits), services);
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await Connection.ClientOutput.WriteAsync(bytes, _timeout.Token);

    /// <summary>Reads one CRLF-terminated line as Latin-1 text without its CRLF, or null when the server closed.</summary>
    public async Task<string?> ReadLineAsync()
    {
        var input = Connection.ClientInput;
        while (true)
        {
            var result = await input.ReadAsync(_timeout.Token);
            var buffer = result.Buffer;
            var position = buffer.PositionOf((byte)'\n');
            if (position is not null)
            {
                var line = buffer.Slice(0, position.Value);
                var text = Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
                input.AdvanceTo(buffer.GetPosition(1, position.Value));
                return text;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    /// <summary>Reads the lines of a multi-line body after its status line, up to the terminating dot, still stuffed.</summary>
    public async Task<List<string>> ReadBodyAsync()
    {
        var lines = new List<string>();
        for (var i = 0; i < 100_000; i++)
        {
            var line = await ReadLineAsync() ?? throw new InvalidOperationException("closed inside a multi-line reply");
            if (line == ".")
            {
                return lines;
            }

            lines.Add(line);
        }

        throw new InvalidOperationException("multi-line reply too long");
    }

    public async Task<string?> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadLineAsync();
    }

    public async Task LoginAsync(string user = "a@example.test", string password = "secret")
    {
        Assert.StartsWith("+OK", await CommandAsync("USER " + user));
        Assert.StartsWith("+OK", await CommandAsync("PASS " + password));
    }

    /// <summary>Waits for the session to end, as it must after QUIT, errors, or the client's close.</summary>
    public async Task WaitEndAsync() => await Session.WaitAsync(_timeout.Token);

    public async ValueTask DisposeAsync()
    {
        await Connection.ClientOutput.CompleteAsync();
        try
        {
            await Session.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _timeout.Dispose();
        }
    }
}
