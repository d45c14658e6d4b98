using System.Buffers;
using Cairn.Protocol.Mvccpb;
using Google.Protobuf;

namespace Cairn.Server.Mvcc;

/// <summary>
/// The write transaction (etcd's <c>storeTxnWrite</c>): every change it makes belongs to main
/// revision <see cref="Revision"/> + 1, numbered by sub revision in order; its own ranges see
/// them. Dispose ends it: if it changed anything, the store's revision moves on and the
/// observer gets the events. Used by one thread, the one that opened it.
/// </summary>
public sealed class MvccWriteTxn : IKvReadView, IDisposable
{
    private readonly MvccStore _store;
    private readonly IRevisionWriter _writer;
    private readonly List<KeyValue> _changes = new(4);
    private bool _ended;

    internal MvccWriteTxn(MvccStore store, IRevisionWriter writer, long beginRevision)
    {
        _store = store;
        _writer = writer;
        Revision = beginRevision;
    }

    /// <summary>The revision before this transaction.</summary>
    public long Revision { get; }

    /// <summary>0, as etcd's write transaction: its reads are checked against the store itself.</summary>
    public long FirstRevision => 0;

    /// <summary>The changes so far, in order; a delete's KeyValue holds only the key.</summary>
    public IReadOnlyList<KeyValue> Changes => _changes;

    private long WriteRevision => Revision + 1;

    /// <summary>The revision a read in this transaction sees: its own changes included.</summary>
    private long ReadRevision => _changes.Count > 0 ? WriteRevision : Revision;

    public RangeResult Range(KeyRange range, RangeOptions options) =>
        _store.RangeKeys(range, ReadRevision, options);

    /// <summary>Puts a value; returns the revision of the write.</summary>
    public long Put(ByteString key, ByteString value, long lease)
    {
        var revision = new Revision(WriteRevision, _changes.Count);
        // The index first: it gives the key's state before this put in the same lookup. Readers
        // ignore the new revision until Dispose publishes it.
        var previous = _store.Index.Put(key.Span, revision);
        var kv = new KeyValue
        {
            Key = key,
            Value = value,
            CreateRevision = previous?.CreateRevision ?? WriteRevision,
            ModRevision = WriteRevision,
            Version = (previous?.Version ?? 0) + 1,
            Lease = lease,
        };
        WriteRecord(revision, isTombstone: false, kv);
        _changes.Add(kv);
        long oldLease = previous is null ? 0 : _store.Leases.LeaseOf(key.Span);
        if (oldLease != 0)
        {
            _store.Leases.Detach(oldLease, key.Span);
        }
        if (lease != 0)
        {
            _store.Leases.Attach(lease, key.Span);
        }
        return WriteRevision;
    }

    /// <summary>
    /// Deletes the keys of the range that exist; returns how many, and the revision the
    /// transaction is at afterwards (unchanged when it has changed nothing yet).
    /// </summary>
    public (long Deleted, long Revision) DeleteRange(KeyRange range)
    {
        var keys = new List<IndexedKey>();
        _store.Index.Range(range, ReadRevision, -1, keys);
        foreach (var key in keys)
        {
            Delete(key.Key);
        }
        return (keys.Count, _changes.Count > 0 ? WriteRevision : Revision);
    }

    private void Delete(byte[] key)
    {
        var revision = new Revision(WriteRevision, _changes.Count);
        // Index keys are never mutated, so the tombstone can share the array.
        var kv = new KeyValue { Key = UnsafeByteOperations.UnsafeWrap(key) };
        WriteRecord(revision, isTombstone: true, kv);
        if (!_store.Index.Tombstone(key, revision))
        {
            throw new InvalidOperationException(
                $"mvcc: tombstone at {revision} of key {KeyIndex.Printable(key)} that does not exist");
        }
        _changes.Add(kv);
        long lease = _store.Leases.LeaseOf(key);
        if (lease != 0)
        {
            _store.Leases.Detach(lease, key);
        }
    }

    private void WriteRecord(Revision revision, bool isTombstone, KeyValue kv)
    {
        int size = kv.CalculateSize();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var span = buffer.AsSpan(0, size);
            kv.WriteTo(span);
            _writer.PutRecord(revision, isTombstone, span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Ends the transaction: publishes its revision if it changed anything.</summary>
    public void Dispose()
    {
        if (_ended)
        {
            return;
        }
        _ended = true;
        try
        {
            if (_changes.Count > 0)
            {
                if (_store.Observer is { } observer)
                {
                    observer.OnWrite(WriteRevision, BuildEvents(observer.WantsPreviousKeyValues));
                }
                _store.Publish(WriteRevision);
            }
        }
        finally
        {
            _writer.Dispose();
        }
    }

    private List<Event> BuildEvents(bool withPrevious)
    {
        var events = new List<Event>(_changes.Count);
        foreach (var change in _changes)
        {
            var ev = new Event { Kv = change };
            if (change.CreateRevision == 0)
            {
                ev.Type = Event.Types.EventType.Delete;
                ev.Kv = new KeyValue { Key = change.Key, ModRevision = WriteRevision };
            }
            events.Add(ev);
        }
        if (withPrevious)
        {
            AttachPreviousKeyValues(events);
        }
        return events;
    }

    private void AttachPreviousKeyValues(List<Event> events)
    {
        var keys = new List<IndexedKey>(events.Count);
        var eventOfKey = new List<Event>(events.Count);
        foreach (var ev in events)
        {
            if (_store.Index.Get(ev.Kv.Key.Span, Revision) is { } before)
            {
                keys.Add(new IndexedKey(ev.Kv.Key.ToByteArray(), before.Modified));
                eventOfKey.Add(ev);
            }
        }
        var previous = _store.ReadKeyValues(keys);
        for (int i = 0; i < previous.Length; i++)
        {
            eventOfKey[i].PrevKv = previous[i];
        }
    }
}
