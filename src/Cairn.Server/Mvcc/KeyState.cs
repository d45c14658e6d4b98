namespace Cairn.Server.Mvcc;

/// <summary>
/// What the index knows about a key at a revision: the revision holding its value then
/// (<see cref="Modified"/>), the main revision that created it, and its version (number of
/// changes since creation).
/// </summary>
public readonly record struct KeyState(Revision Modified, long CreateRevision, long Version);
