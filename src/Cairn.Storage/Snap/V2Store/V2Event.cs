namespace Cairn.Storage.Snap.V2Store;

/// <summary>A change recorded in the v2 store's event history (etcd's <c>v2store.Event</c>).</summary>
public sealed record V2Event(string Action, V2NodeExtern? Node, V2NodeExtern? PrevNode = null, bool Refresh = false)
{
    public const string Create = "create";
    public const string Set = "set";
    public const string Update = "update";
    public const string Delete = "delete";

    /// <summary>The store index the event happened at (its node's modified index).</summary>
    public ulong Index => Node?.ModifiedIndex ?? 0;
}
