namespace Extensible.Processing.Queue;

/// <summary>One recipient's delivery state inside a queue record.</summary>
public sealed class RecipientState
{
    /// <summary>The forward path.</summary>
    public required string Address { get; set; }

    /// <summary>RFC 3461 NOTIFY, or null for the default (failures only).</summary>
    public List<string>? Notify { get; set; }

    /// <summary>RFC 3461 ORCPT as given (<c>rfc822;addr</c>), or the forwarder it came from.</summary>
    public string? OriginalRecipient { get; set; }

    /// <summary>Where the recipient stands.</summary>
    public RecipientStatus Status { get; set; }

    /// <summary>Attempts made for this recipient.</summary>
    public int Attempts { get; set; }

    /// <summary>Forwarder levels above this recipient (0 for an envelope recipient).</summary>
    public int Depth { get; set; }

    /// <summary>The last diagnostic (remote reply or local reason), or null.</summary>
    public string? Diagnostic { get; set; }

    /// <summary>RFC 3463 status of the last outcome, or null.</summary>
    public string? EnhancedCode { get; set; }

    /// <summary>The remote host that answered last, or null.</summary>
    public string? RemoteHost { get; set; }

    /// <summary>True once a success DSN was sent for this recipient, or none was asked.</summary>
    public bool Reported { get; set; }

    /// <summary>True when NOTIFY asks for a report of <paramref name="kind"/> (<c>FAILURE</c>, <c>SUCCESS</c>, <c>DELAY</c>).</summary>
    public bool WantsNotify(string kind) =>
        Notify is null or { Count: 0 }
            ? kind == "FAILURE"
            : !Notify.Contains("NEVER", StringComparer.OrdinalIgnoreCase) && Notify.Contains(kind, StringComparer.OrdinalIgnoreCase);
}
