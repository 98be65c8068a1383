namespace Extensible.Sdk.Storage;

/// <summary>A folder in a user's hierarchy; paths use '/' as separator and <c>INBOX</c> is the inbox.</summary>
/// <param name="Path">Full path, for example <c>Archive/2026</c>.</param>
/// <param name="SpecialUse">RFC 6154 attribute.</param>
/// <param name="Subscribed">True when the user subscribed to it.</param>
/// <param name="HasChildren">True when another folder lies below it.</param>
/// <param name="UidValidity">The folder's UIDVALIDITY.</param>
public sealed record FolderInfo(string Path, SpecialUse SpecialUse, bool Subscribed, bool HasChildren, uint UidValidity);
