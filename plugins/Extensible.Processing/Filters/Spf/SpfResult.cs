namespace Extensible.Processing.Filters.Spf;

/// <summary>The results of RFC 7208's check_host().</summary>
public enum SpfResult
{
    /// <summary>No SPF record, or no usable identity.</summary>
    None,

    /// <summary>The domain states nothing about the address.</summary>
    Neutral,

    /// <summary>The address is authorized.</summary>
    Pass,

    /// <summary>The address is not authorized.</summary>
    Fail,

    /// <summary>The address is probably not authorized.</summary>
    SoftFail,

    /// <summary>A DNS lookup failed transiently.</summary>
    TempError,

    /// <summary>The domain's record cannot be interpreted.</summary>
    PermError,
}
