namespace Extensible.Pop3.Protocol;

/// <summary>RFC 2449 and RFC 3206 extended response codes, brackets included, followed by a space.</summary>
public static class Pop3ResponseCode
{
    /// <summary>Another session holds the maildrop.</summary>
    public const string InUse = "[IN-USE] ";

    /// <summary>The account logged in too recently.</summary>
    public const string LoginDelay = "[LOGIN-DELAY] ";

    /// <summary>A temporary server problem; retrying later may work.</summary>
    public const string SysTemp = "[SYS/TEMP] ";

    /// <summary>A permanent server problem.</summary>
    public const string SysPerm = "[SYS/PERM] ";

    /// <summary>A problem with the credentials or the way they were sent.</summary>
    public const string Auth = "[AUTH] ";
}
