namespace Cairn.Storage.Snap.V2Store;

/// <summary>The v2 store's operation counters (etcd's <c>v2store.Stats</c>), in etcd's JSON order.</summary>
public sealed class V2StoreStats
{
    /// <summary>JSON names, in the order etcd writes them.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "getsSuccess", "getsFail", "setsSuccess", "setsFail", "deleteSuccess", "deleteFail",
        "updateSuccess", "updateFail", "createSuccess", "createFail", "compareAndSwapSuccess",
        "compareAndSwapFail", "compareAndDeleteSuccess", "compareAndDeleteFail", "expireCount", "watchers",
    ];

    private readonly ulong[] _values = new ulong[Names.Count];

    public ulong this[string name]
    {
        get => _values[IndexOf(name)];
        internal set => _values[IndexOf(name)] = value;
    }

    internal void Increment(string name) => _values[IndexOf(name)]++;

    private static int IndexOf(string name)
    {
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        throw new ArgumentException($"no v2 store counter named {name}", nameof(name));
    }
}
