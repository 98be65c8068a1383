using Extensible.Imap.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Imap;

/// <summary>Command dispatch and the common reply paths.</summary>
internal sealed partial class ImapSession
{
    private async ValueTask ExecuteAsync(ImapCommand command, CancellationToken ct)
    {
        var p = new ImapParser(command, utf8: true);
        string tag;
        string name;
        try
        {
            tag = p.ReadTag();
            p.Space();
            name = p.ReadAtom().ToUpperInvariant();
        }
        catch (ImapParseException ex)
        {
            _writer.Line("* BAD " + ex.Message);
            _errors++;
            return;
        }

        try
        {
            await DispatchAsync(tag, name, p, ct);
        }
        catch (ImapParseException ex)
        {
            _errors++;
            Tagged(tag, "BAD", ex.Message, ex.ResponseCode);
        }
        catch (ImapNoException ex)
        {
            await FlushUpdatesAsync(allowExpunge: false, ct);
            Tagged(tag, "NO", ex.Message, ex.ResponseCode);
        }
        catch (StoreException ex)
        {
            await FlushUpdatesAsync(allowExpunge: false, ct);
            Tagged(tag, "NO", ex.Message, ex.Error switch
            {
                StoreError.NotFound => "NONEXISTENT",
                StoreError.AlreadyExists => "ALREADYEXISTS",
                StoreError.InvalidName => "CANNOT",
                StoreError.QuotaExceeded => "OVERQUOTA",
                StoreError.NotAllowed => "CANNOT",
                StoreError.TooLarge => "TOOBIG",
                _ => "UNAVAILABLE",
            });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not (IOException or EndOfStreamException or System.Security.Authentication.AuthenticationException))
        {
            _connection.Logger.Error(ex, "IMAP command {Command} failed", name);
            Tagged(tag, "NO", "Internal server error", "SERVERBUG");
        }
    }

    private ValueTask DispatchAsync(string tag, string name, ImapParser p, CancellationToken ct)
    {
        switch (name)
        {
            case "CAPABILITY": return CapabilityAsync(tag, p, ct);
            case "NOOP": return NoopAsync(tag, p, ct);
            case "LOGOUT": return LogoutAsync(tag, p);
            case "ID": return IdAsync(tag, p, ct);
        }

        if (_state == SessionState.NotAuthenticated)
        {
            return name switch
            {
                "STARTTLS" => StartTlsAsync(tag, p, ct),
                "LOGIN" => LoginAsync(tag, p, ct),
                "AUTHENTICATE" => AuthenticateAsync(tag, p, ct),
                "ENABLE" or "SELECT" or "EXAMINE" or "LIST" or "LSUB" or "STATUS" or "CREATE" or "DELETE" or "RENAME" or "APPEND"
                    or "SUBSCRIBE" or "UNSUBSCRIBE" or "NAMESPACE" or "IDLE" or "GETQUOTA" or "GETQUOTAROOT" or "COMPRESS"
                    => throw new ImapParseException("Log in first"),
                _ => throw new ImapParseException("Unknown command"),
            };
        }

        switch (name)
        {
            case "STARTTLS":
            case "LOGIN":
            case "AUTHENTICATE":
                throw new ImapParseException("Already authenticated");
            case "ENABLE": return EnableAsync(tag, p, ct);
            case "SELECT": return SelectAsync(tag, p, readOnly: false, ct);
            case "EXAMINE": return SelectAsync(tag, p, readOnly: true, ct);
            case "CREATE": return CreateAsync(tag, p, ct);
            case "DELETE": return DeleteAsync(tag, p, ct);
            case "RENAME": return RenameAsync(tag, p, ct);
            case "SUBSCRIBE": return SubscribeAsync(tag, p, true, ct);
            case "UNSUBSCRIBE": return SubscribeAsync(tag, p, false, ct);
            case "LIST": return ListAsync(tag, p, lsub: false, ct);
            case "LSUB": return ListAsync(tag, p, lsub: true, ct);
            case "STATUS": return StatusAsync(tag, p, ct);
            case "APPEND": return AppendAsync(tag, p, ct);
            case "NAMESPACE": return NamespaceAsync(tag, p, ct);
            case "IDLE": return IdleAsync(tag, p, ct);
            case "GETQUOTA": return GetQuotaAsync(tag, p, ct);
            case "GETQUOTAROOT": return GetQuotaRootAsync(tag, p, ct);
            case "SETQUOTA": throw new ImapNoException("Quota limits are set by the administrator", "NOPERM");
            case "COMPRESS": return CompressAsync(tag, p, ct);
        }

        if (_state != SessionState.Selected || _selected is null)
        {
            return name is "CHECK" or "CLOSE" or "UNSELECT" or "EXPUNGE" or "SEARCH" or "FETCH" or "STORE" or "COPY" or "MOVE" or "UID" or "SORT" or "THREAD"
                ? throw new ImapParseException("No mailbox selected")
                : throw new ImapParseException("Unknown command");
        }

        switch (name)
        {
            case "CHECK": return NoopAsync(tag, p, ct);
            case "CLOSE": return CloseAsync(tag, p, expunge: true, ct);
            case "UNSELECT": return CloseAsync(tag, p, expunge: false, ct);
            case "EXPUNGE": return ExpungeAsync(tag, p, uids: null, ct);
            case "SEARCH": return SearchAsync(tag, p, byUid: false, ct);
            case "FETCH": return FetchAsync(tag, p, byUid: false, ct);
            case "STORE": return StoreAsync(tag, p, byUid: false, ct);
            case "COPY": return CopyAsync(tag, p, byUid: false, move: false, ct);
            case "MOVE": return CopyAsync(tag, p, byUid: false, move: true, ct);
            case "SORT": return SortAsync(tag, p, byUid: false, ct);
            case "THREAD": return ThreadAsync(tag, p, byUid: false, ct);
            case "UID":
                p.Space();
                var sub = p.ReadAtom().ToUpperInvariant();
                switch (sub)
                {
                    case "FETCH": return FetchAsync(tag, p, byUid: true, ct);
                    case "STORE": return StoreAsync(tag, p, byUid: true, ct);
                    case "SEARCH": return SearchAsync(tag, p, byUid: true, ct);
                    case "COPY": return CopyAsync(tag, p, byUid: true, move: false, ct);
                    case "MOVE": return CopyAsync(tag, p, byUid: true, move: true, ct);
                    case "SORT": return SortAsync(tag, p, byUid: true, ct);
                    case "THREAD": return ThreadAsync(tag, p, byUid: true, ct);
                    case "EXPUNGE":
                        p.Space();
                        var set = SequenceSet.Parse(p.ReadUntilSpaceOrParen());
                        p.ExpectEnd();
                        return ExpungeAsync(tag, p, set, ct);
                    default:
                        throw new ImapParseException("Unknown UID command");
                }
        }

        throw new ImapParseException("Unknown command");
    }

    /// <summary>Writes a tagged status line.</summary>
    private void Tagged(string tag, string status, string text, string? code = null)
    {
        _writer.Raw(tag).Raw(" ").Raw(status).Raw(" ");
        if (code is not null)
        {
            _writer.Raw("[").Raw(code).Raw("] ");
        }

        _writer.Raw(text).EndLine();
    }

    /// <summary>Sends pending mailbox updates, then the tagged OK.</summary>
    private async ValueTask OkAsync(string tag, string text, bool allowExpunge = true, string? code = null, CancellationToken ct = default)
    {
        await FlushUpdatesAsync(allowExpunge, ct);
        Tagged(tag, "OK", text, code);
    }

    private async ValueTask NoopAsync(string tag, ImapParser p, CancellationToken ct)
    {
        p.ExpectEnd();
        await OkAsync(tag, "NOOP completed", ct: ct);
    }

    private ValueTask LogoutAsync(string tag, ImapParser p)
    {
        p.ExpectEnd();
        _writer.Line("* BYE Logging out");
        Tagged(tag, "OK", "LOGOUT completed");
        _state = SessionState.Logout;
        return ValueTask.CompletedTask;
    }
}
