namespace Cairn.Storage.Snap.V2Store;

/// <summary>
/// The ring of recent events (etcd's <c>EventHistory</c> and <c>eventQueue</c>, 1000 events) that
/// v2 watchers resume from; kept and written back so etcd restored from a Cairn snapshot sees
/// the history it would have had.
/// </summary>
public sealed class V2EventHistory
{
    /// <summary>The capacity etcd's server gives the history.</summary>
    public const int EtcdCapacity = 1000;

    public V2EventHistory(int capacity = EtcdCapacity)
        : this(new V2Event?[capacity], 0, 0, 0, 0, 0)
    {
    }

    internal V2EventHistory(V2Event?[] events, int size, int front, int back, ulong startIndex, ulong lastIndex)
    {
        Events = events;
        Size = size;
        Front = front;
        Back = back;
        StartIndex = startIndex;
        LastIndex = lastIndex;
    }

    /// <summary>The ring's slots (null where never filled).</summary>
    public V2Event?[] Events { get; }

    public int Size { get; private set; }

    public int Front { get; private set; }

    public int Back { get; private set; }

    public int Capacity => Events.Length;

    public ulong StartIndex { get; private set; }

    public ulong LastIndex { get; private set; }

    /// <summary>The events oldest first.</summary>
    public IEnumerable<V2Event> InOrder()
    {
        for (int i = 0; i < Size; i++)
        {
            var e = Events[(Front + i) % Capacity];
            if (e is not null)
            {
                yield return e;
            }
        }
    }

    internal void Add(V2Event e)
    {
        Events[Back] = e;
        Back = (Back + 1) % Capacity;
        if (Size == Capacity)
        {
            Front = (Front + 1) % Capacity;
        }
        else
        {
            Size++;
        }
        LastIndex = e.Index;
        StartIndex = Events[Front]?.Index ?? 0;
    }
}
