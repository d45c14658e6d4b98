namespace Cairn.Server.Mvcc;

/// <summary>A key that exists at the revision of a scan, with the revision holding its value.</summary>
public readonly record struct IndexedKey(byte[] Key, Revision Modified);
