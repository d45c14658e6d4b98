using System.Runtime.InteropServices;
using Cairn.Server.Mvcc;

namespace Cairn.Server.Backend;

/// <summary>
/// Revision records written to the open batch transaction and not yet committed: readers use
/// their own bolt read transactions, which only see committed pages, so they look here first
/// (etcd's txReadBuffer). Cleared after each commit. Records arrive in revision order, so a put
/// is an append and a scan is a binary search.
/// </summary>
internal sealed class UncommittedRecords
{
    private readonly object _gate = new();
    private readonly List<Record> _records = [];

    public readonly record struct Record(Revision Revision, bool IsTombstone, byte[] KeyValue);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    public void Put(Revision revision, bool isTombstone, ReadOnlySpan<byte> keyValue)
    {
        var record = new Record(revision, isTombstone, keyValue.ToArray());
        lock (_gate)
        {
            if (_records.Count == 0 || _records[^1].Revision < revision)
            {
                _records.Add(record);
                return;
            }
            int at = Find(revision);
            if (at >= 0)
            {
                _records[at] = record;
            }
            else
            {
                _records.Insert(~at, record);
            }
        }
    }

    public void Delete(Revision revision)
    {
        lock (_gate)
        {
            int at = Find(revision);
            if (at >= 0)
            {
                _records.RemoveAt(at);
            }
        }
    }

    /// <summary>The put record at <paramref name="revision"/> (never a tombstone), or null.</summary>
    public byte[]? Get(Revision revision)
    {
        lock (_gate)
        {
            int at = Find(revision);
            return at >= 0 && !_records[at].IsTombstone ? _records[at].KeyValue : null;
        }
    }

    /// <summary>A copy of the records with <paramref name="from"/> &lt;= revision &lt; <paramref name="to"/>.</summary>
    public Record[] Range(Revision from, Revision to)
    {
        lock (_gate)
        {
            if (_records.Count == 0)
            {
                return [];
            }
            int start = Find(from);
            if (start < 0)
            {
                start = ~start;
            }
            int end = start;
            while (end < _records.Count && _records[end].Revision < to)
            {
                end++;
            }
            return _records.GetRange(start, end - start).ToArray();
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }

    /// <summary>The record's position, or the bitwise complement of where it would go.</summary>
    private int Find(Revision revision) => CollectionsMarshal.AsSpan(_records).BinarySearch(new At(revision));

    private readonly struct At(Revision revision) : IComparable<Record>
    {
        public int CompareTo(Record other) => revision.CompareTo(other.Revision);
    }
}
