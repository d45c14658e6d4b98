using Cairn.Protocol.Raftpb;

namespace Cairn.Raft.Log;

/// <summary>Sizes of entries as etcd's marshaller counts them, for its byte limits.</summary>
internal static class EntrySize
{
    /// <summary>The encoded size of e as gogo's Entry.Size() gives it (every scalar field written).</summary>
    public static ulong Of(Entry e)
    {
        ulong n = 3 + VarintSize((ulong)e.Type) + VarintSize(e.Term) + VarintSize(e.Index);
        if (e.HasData)
        {
            var l = (ulong)e.Data.Length;
            n += 1 + l + VarintSize(l);
        }
        return n;
    }

    /// <summary>The payload size counted against the uncommitted-size limit (etcd's PayloadSize).</summary>
    public static ulong Payload(Entry e) => (ulong)e.Data.Length;

    /// <summary>
    /// How many leading entries fit in maxSize: always at least one, then every entry that keeps
    /// the running total within the limit (etcd's limitSize).
    /// </summary>
    public static int CountWithin(ArraySegment<Entry> ents, ulong maxSize)
    {
        if (ents.Count <= 1 || maxSize == ulong.MaxValue)
        {
            return ents.Count;
        }
        var size = Of(ents[0]);
        int limit;
        for (limit = 1; limit < ents.Count; limit++)
        {
            size += Of(ents[limit]);
            if (size > maxSize)
            {
                break;
            }
        }
        return limit;
    }

    public static ArraySegment<Entry> Limit(ArraySegment<Entry> ents, ulong maxSize)
    {
        var n = CountWithin(ents, maxSize);
        return n == ents.Count ? ents : ents.Slice(0, n);
    }

    private static ulong VarintSize(ulong v)
    {
        ulong n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }
        return n;
    }
}
