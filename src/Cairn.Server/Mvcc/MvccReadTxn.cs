namespace Cairn.Server.Mvcc;

/// <summary>
/// A read transaction: every range reads at the revision current when it opened, whatever the
/// writer does meanwhile. Holds no lock; nothing to release.
/// </summary>
public sealed class MvccReadTxn : IKvReadView
{
    private readonly MvccStore _store;

    internal MvccReadTxn(MvccStore store, long revision, long firstRevision)
    {
        _store = store;
        Revision = revision;
        FirstRevision = firstRevision;
    }

    public long Revision { get; }

    public long FirstRevision { get; }

    public RangeResult Range(KeyRange range, RangeOptions options) =>
        _store.RangeKeys(range, Revision, options);
}
