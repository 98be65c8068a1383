namespace Extensible.Pop3.Protocol;

/// <summary>RFC 1939 session states a command may run in.</summary>
[Flags]
public enum Pop3State
{
    /// <summary>Before a successful login.</summary>
    Authorization = 1,

    /// <summary>After login, with the maildrop open.</summary>
    Transaction = 2,

    /// <summary>Both states.</summary>
    Any = Authorization | Transaction,
}
