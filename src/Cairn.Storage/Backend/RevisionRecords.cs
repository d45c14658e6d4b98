using Cairn.Protocol.Mvccpb;
using Cairn.Storage.Bolt;

namespace Cairn.Storage.Backend;

/// <summary>One record of the key bucket: a revision, whether it is a tombstone, and the mvccpb.KeyValue bytes (valid for the transaction).</summary>
public readonly ref struct RevisionRecord(Revision revision, bool isTombstone, ReadOnlySpan<byte> value)
{
    public Revision Revision { get; } = revision;

    public bool IsTombstone { get; } = isTombstone;

    /// <summary>The marshaled mvccpb.KeyValue (for a tombstone: only the key is set).</summary>
    public ReadOnlySpan<byte> Value { get; } = value;

    public KeyValue ToKeyValue() => KeyValue.Parser.ParseFrom(Value);
}

/// <summary>
/// The key bucket's records from one revision (inclusive) to another (exclusive), in revision
/// order: `foreach (var record in tx.Revisions(from, to))`. What index rebuild at start and
/// watch history reads walk.
/// </summary>
public ref struct RevisionRange
{
    private readonly BoltCursor _cursor;
    private readonly Revision _from;
    private readonly Revision _to;
    private readonly string _file;
    private bool _started;
    private bool _done;

    internal RevisionRange(BoltCursor cursor, Revision from, Revision to, string file)
    {
        _cursor = cursor;
        _from = from;
        _to = to;
        _file = file;
        Current = default;
    }

    public RevisionRecord Current { get; private set; }

    public readonly RevisionRange GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_done)
        {
            return false;
        }
        bool ok;
        if (!_started)
        {
            _started = true;
            Span<byte> start = stackalloc byte[Revision.Size];
            _from.WriteTo(start);
            ok = _cursor.Seek(start);
        }
        else
        {
            ok = _cursor.Next();
        }
        if (!ok)
        {
            _done = true;
            return false;
        }
        if (!Revision.TryParse(_cursor.Key, out var revision, out var tombstone))
        {
            throw BackendException.Malformed(_file, BackendBuckets.Key, _cursor.Key, "not a revision key");
        }
        if (revision >= _to)
        {
            _done = true;
            return false;
        }
        Current = new RevisionRecord(revision, tombstone, _cursor.Value);
        return true;
    }
}
