using System.Buffers;
using Extensible.Pop3.Protocol;
using Extensible.Sdk.Storage;

namespace Extensible.Pop3;

/// <summary>Streaming a message from the store to the client (RETR, TOP).</summary>
public sealed partial class Pop3Session
{
    /// <summary>Sends message <paramref name="number"/> as a multi-line reply, all of it or its headers and <paramref name="bodyLines"/> lines; returns true when sent.</summary>
    /// <remarks>Reads the store in chunks and flushes as the socket drains, so memory stays bounded whatever the size.</remarks>
    public async ValueTask<bool> SendMessageAsync(int number, int bodyLines, CancellationToken cancellationToken)
    {
        var maildrop = Maildrop!;
        Stream content;
        try
        {
            content = await maildrop.OpenContentAsync(number, cancellationToken);
        }
        catch (StoreException ex) when (ex.Error == StoreError.NotFound)
        {
            WriteLine("-ERR " + Pop3ResponseCode.SysPerm + "Message " + number + " was removed from the mailbox by another session");
            return false;
        }

        await using (content)
        {
            WriteLine(bodyLines < 0 ? $"+OK {maildrop[number].Size} octets" : "+OK Top of message follows");
            var writer = new Pop3ContentWriter(Output, bodyLines);
            var chunk = ArrayPool<byte>.Shared.Rent(Math.Clamp(Options.ReadBufferSize, 4096, 1024 * 1024));
            try
            {
                while (!writer.IsDone)
                {
                    int read;
                    try
                    {
                        read = await content.ReadAsync(chunk, cancellationToken);
                    }
                    catch (Exception ex) when (ex is IOException or StoreException && !cancellationToken.IsCancellationRequested)
                    {
                        // The +OK line is out: nothing but closing keeps the client from taking a cut message as whole.
                        _connection.Logger.Error(ex, "POP3 failed reading message {Number} from the store; closing", number);
                        _connection.Abort("store read failed during RETR");
                        IsClosing = true;
                        return false;
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    writer.Write(chunk.AsSpan(0, read));
                    if (!Output.CanGetUnflushedBytes || Output.UnflushedBytes >= chunk.Length)
                    {
                        // A client that goes away mid-message fails here; that is the network, not the store, and ends the session quietly.
                        await FlushAsync(cancellationToken);
                    }
                }

                writer.Complete();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        return true;
    }
}
