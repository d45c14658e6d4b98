namespace Cairn.Server.Mvcc;

/// <summary>
/// A consistent view of the key space to read ranges from (etcd's mvcc <c>ReadView</c>): a
/// read transaction, or a write transaction seeing its own changes.
/// </summary>
public interface IKvReadView
{
    /// <summary>The revision the view reads at (a write transaction: the one before its own).</summary>
    long Revision { get; }

    /// <summary>The compacted revision when the view opened; ranges below it fail.</summary>
    long FirstRevision { get; }

    /// <exception cref="Errors.EtcdException">
    /// <see cref="Errors.EtcdErrors.FutureRevision"/> or <see cref="Errors.EtcdErrors.Compacted"/>
    /// for a revision the store cannot serve.
    /// </exception>
    RangeResult Range(KeyRange range, RangeOptions options);
}
