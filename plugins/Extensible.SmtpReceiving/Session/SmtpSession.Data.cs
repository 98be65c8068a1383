using System.Globalization;
using Extensible.Sdk.Messages;
using Extensible.SmtpReceiving.Data;

namespace Extensible.SmtpReceiving.Session;

internal sealed partial class SmtpSession
{
    private async ValueTask DataAsync(string args)
    {
        var transaction = _transaction;
        if (args.Length > 0)
        {
            Error("501 5.5.4 Syntax: DATA");
            return;
        }

        if (transaction is null)
        {
            Error("503 5.5.1 Error: need MAIL command");
            return;
        }

        if (transaction.Recipients.Count == 0)
        {
            Error("554 5.5.1 Error: no valid recipients");
            return;
        }

        if (transaction.ChunkingStarted)
        {
            Error("503 5.5.1 Error: DATA not allowed after BDAT");
            return;
        }

        Reply("354 End data with <CR><LF>.<CR><LF>\r\n"u8);
        var decoder = await BeginMessageAsync(transaction, dotStuffed: true);
        while (true)
        {
            var result = await ReadAsync(_services.DataTimeout);
            var buffer = result.Buffer;
            var ended = false;
            var consumedTotal = 0L;
            foreach (var segment in buffer)
            {
                ended = decoder.Process(segment.Span, out var consumed);
                consumedTotal += consumed;
                if (ended)
                {
                    break;
                }
            }

            await _spool!.CommitAsync(Closed);
            _reader.AdvanceTo(buffer.GetPosition(consumedTotal));
            if (ended)
            {
                break;
            }

            if (result.IsCompleted)
            {
                _connection.Logger.Information("Client went away in the middle of DATA");
                _closing = true;
                await ResetTransactionAsync();
                return;
            }
        }

        await FinishMessageAsync(transaction, decoder);
    }

    private async ValueTask BdatAsync(string args)
    {
        var parts = args.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || (parts.Length == 2 && !parts[1].Equals("LAST", StringComparison.OrdinalIgnoreCase)))
        {
            // The chunk length is unknown, so the following bytes cannot be told from commands: end the session.
            Reply("501 5.5.4 Syntax: BDAT size [LAST]; closing connection");
            _closing = true;
            return;
        }

        var last = parts.Length == 2;
        var transaction = _transaction;
        DataDecoder? decoder = null;
        string? refusal = null;
        if (transaction is null)
        {
            refusal = "503 5.5.1 Error: need MAIL command";
        }
        else if (transaction.Recipients.Count == 0)
        {
            refusal = "554 5.5.1 Error: no valid recipients";
        }
        else if (!transaction.ChunkingFailed)
        {
            decoder = transaction.ChunkingStarted ? _bdatDecoder : await BeginMessageAsync(transaction, dotStuffed: false);
            transaction.ChunkingStarted = true;
            _bdatDecoder = decoder;
        }

        // Every chunk's bytes are read, whatever the reply, so they are never taken for commands.
        var remaining = size;
        while (remaining > 0)
        {
            var result = await ReadAsync(_services.DataTimeout);
            var buffer = result.Buffer;
            var take = Math.Min(remaining, buffer.Length);
            if (decoder is not null)
            {
                foreach (var segment in buffer.Slice(0, take))
                {
                    decoder.Process(segment.Span, out _);
                }

                await _spool!.CommitAsync(Closed);
            }

            _reader.AdvanceTo(buffer.GetPosition(take));
            remaining -= take;
            if (remaining > 0 && result.IsCompleted)
            {
                _connection.Logger.Information("Client went away in the middle of BDAT");
                _closing = true;
                await ResetTransactionAsync();
                return;
            }
        }

        if (refusal is not null)
        {
            Error(refusal);
            return;
        }

        if (transaction!.ChunkingFailed)
        {
            if (last)
            {
                await ResetTransactionAsync();
            }

            Error("503 5.5.1 Error: an earlier BDAT chunk failed; send RSET");
            return;
        }

        if (decoder!.TooBig)
        {
            transaction.ChunkingFailed = !last;
            if (last)
            {
                await ResetTransactionAsync();
            }

            Error("552 5.3.4 Message size exceeds fixed maximum message size");
            return;
        }

        if (!last)
        {
            Reply($"250 2.0.0 {size} octets received");
            return;
        }

        await FinishMessageAsync(transaction, decoder);
    }

    private async ValueTask<DataDecoder> BeginMessageAsync(SmtpTransaction transaction, bool dotStuffed)
    {
        if (_spool is null)
        {
            _spool = new MessageSpool(_services.SpoolDirectory, _options.SpoolMemoryThreshold);
        }
        else
        {
            await _spool.ResetAsync();
        }

        _messageCount++;
        var header = ReceivedHeader.Build(new ReceivedInfo(
            _heloName,
            _connection.RemoteEndPoint.Address,
            _services.ServerName,
            ReceivedHeader.Protocol(_esmtp, _connection.IsSecure, _user is not null, transaction.SmtpUtf8),
            MessageId(),
            _connection.TlsProtocol,
            _connection.TlsCipherSuite,
            _options.ReceivedShowsAuthenticatedUser ? _user?.Address : null,
            transaction.Recipients.Count == 1 ? transaction.Recipients[0].Address : null,
            DateTimeOffset.Now));
        var bytes = System.Text.Encoding.UTF8.GetBytes(header);
        _spool.Write(bytes);
        return new DataDecoder(_spool, _options.MaxMessageSize, dotStuffed);
    }

    private string MessageId() => _messageCount == 1 ? _connection.ConnectionId : $"{_connection.ConnectionId}.{_messageCount}";

    private async ValueTask FinishMessageAsync(SmtpTransaction transaction, DataDecoder decoder)
    {
        string? refusal = null;
        if (decoder.TooBig)
        {
            refusal = "552 5.3.4 Message size exceeds fixed maximum message size";
        }
        else if (decoder.BareLineEnding || decoder.EndsInsideLineEnding)
        {
            refusal = "550 5.6.0 Message refused: bare CR or LF in message content; lines must end with CRLF";
        }
        else if (decoder.LineTooLong)
        {
            refusal = "550 5.6.0 Message refused: line longer than 1000 octets including CRLF";
        }
        else if (decoder.ReceivedHeaders >= _options.MaxReceivedHeaders)
        {
            refusal = $"554 5.4.6 Too many Received headers ({decoder.ReceivedHeaders}): mail loop detected";
        }

        if (refusal is not null)
        {
            _connection.Logger.Information("Refused message from {MailFrom}: {Reply}", transaction.MailFrom, refusal);
            await ResetTransactionAsync();
            Error(refusal);
            return;
        }

        var envelope = new MessageEnvelope
        {
            MailFrom = transaction.MailFrom,
            Recipients = transaction.Recipients,
            Source = _listener.Role == SmtpRole.Submission || _user is not null ? "submission" : "smtp",
            ClientAddress = _connection.RemoteEndPoint.Address,
            HeloName = _heloName,
            AuthenticatedUser = _user,
            Secure = _connection.IsSecure,
            Body = transaction.Body,
            SmtpUtf8 = transaction.SmtpUtf8,
            DsnReturn = transaction.DsnReturn,
            DsnEnvelopeId = transaction.DsnEnvelopeId,
        };

        SubmitResult submitted;
        var content = await _spool!.OpenReadAsync(Closed);
        try
        {
            submitted = await _services.Pipeline.SubmitAsync(envelope, content, Closed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !Closed.IsCancellationRequested)
        {
            _connection.Logger.Error(ex, "Processing failed to take a message from {MailFrom}", transaction.MailFrom);
            await ResetTransactionAsync();
            Reply("451 4.3.0 Error: queue file write error, try again later");
            return;
        }
        finally
        {
            await content.DisposeAsync();
        }

        await ResetTransactionAsync();
        Reply(SubmitReply(submitted));
        if (submitted.Taken)
        {
            _connection.Logger.Information(
                "Queued {QueueId} from {MailFrom} for {Recipients} recipient(s), {Size} bytes",
                submitted.QueueId, envelope.MailFrom, envelope.Recipients.Count, decoder.Size);
        }
        else
        {
            _connection.Logger.Information("Processing refused a message from {MailFrom}: {Verdict}", envelope.MailFrom, submitted.Verdict);
        }
    }

    private static string SubmitReply(SubmitResult result)
    {
        if (result.Taken)
        {
            return "250 2.0.0 Ok: queued as " + result.QueueId;
        }

        return result.Verdict switch
        {
            FilterVerdict.Rejected r => $"{(r.Code is >= 500 and < 600 ? r.Code : 554)} {Enhanced(r.EnhancedCode, '5')} {OneLine(r.Text)}",
            FilterVerdict.TemporarilyFailed t => $"{(t.Code is >= 400 and < 500 ? t.Code : 451)} {Enhanced(t.EnhancedCode, '4')} {OneLine(t.Text)}",
            _ => "451 4.3.0 Error: message not queued, try again later",
        };
    }

    private static string Enhanced(string code, char expectedClass) =>
        code.Length >= 5 && code[0] == expectedClass && code[1] == '.' ? code : expectedClass + ".0.0";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
