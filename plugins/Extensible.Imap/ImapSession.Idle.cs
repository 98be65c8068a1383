using System.Buffers;
using Extensible.Imap.Protocol;
using Extensible.Sdk.Connections;

namespace Extensible.Imap;

/// <summary>IDLE (RFC 2177): reports changes at once until the client sends DONE.</summary>
internal sealed partial class ImapSession
{
    private async ValueTask IdleAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.ExpectEnd();
        await FlushUpdatesAsync(allowExpunge: true, ct);
        await _writer.Line("+ idling").FlushAsync(ct);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(Math.Max(60, _options.IdleTimeout));
        var keepalive = _options.IdleKeepalive > 0 ? TimeSpan.FromSeconds(_options.IdleKeepalive) : Timeout.InfiniteTimeSpan;
        var reader = Input;
        var read = reader.ReadAsync(ct).AsTask();
        while (true)
        {
            if (!_changes.IsEmpty)
            {
                await FlushUpdatesAsync(allowExpunge: true, ct);
                await _writer.FlushAsync(ct);
            }

            var signal = _signal.WaitAsync();
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                _writer.Line("* BYE Autologout; idle for too long");
                _state = SessionState.Logout;
                return;
            }

            var wait = keepalive == Timeout.InfiniteTimeSpan || keepalive > remaining ? remaining : keepalive;
            using var timerCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var timer = Task.Delay(wait, timerCts.Token);
            var done = await Task.WhenAny(read, signal, timer);
            await timerCts.CancelAsync();
            if (done == timer)
            {
                if (DateTimeOffset.UtcNow < deadline)
                {
                    await _writer.Line("* OK Still here").FlushAsync(ct);
                }

                continue;
            }

            if (done != read)
            {
                continue;
            }

            var result = await read;
            var buffer = result.Buffer;
            var status = LineReader.TryReadLine(ref buffer, 64, out var line, out _);
            if (status is LineStatus.Complete or LineStatus.BareLineFeed)
            {
                var text = System.Text.Encoding.ASCII.GetString(line.ToArray());
                reader.AdvanceTo(buffer.Start);
                _connection.Transcript.Client(text);
                if (text.Equals("DONE", StringComparison.OrdinalIgnoreCase))
                {
                    await OkAsync(tag, "IDLE terminated", ct: ct);
                    return;
                }

                _errors++;
                Tagged(tag, "BAD", "Expected DONE");
                return;
            }

            if (status == LineStatus.TooLong)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                _errors++;
                Tagged(tag, "BAD", "Expected DONE");
                return;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                _state = SessionState.Logout;
                return;
            }

            read = reader.ReadAsync(ct).AsTask();
        }
    }
}
