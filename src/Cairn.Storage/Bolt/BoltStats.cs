namespace Cairn.Storage.Bolt;

/// <summary>Database statistics (bbolt's Stats), as of the last transaction that closed.</summary>
public sealed record BoltStats
{
    /// <summary>Pages on the freelist, ready for reuse.</summary>
    public int FreePageN { get; init; }

    /// <summary>Pages freed by recent transactions, held until no reader can see them.</summary>
    public int PendingPageN { get; init; }

    /// <summary>Bytes in free and pending pages.</summary>
    public long FreeAlloc { get; init; }

    /// <summary>Bytes the freelist takes on disk.</summary>
    public long FreelistInuse { get; init; }

    /// <summary>Read transactions started since open.</summary>
    public long TxN { get; init; }

    /// <summary>Read transactions open now.</summary>
    public int OpenTxN { get; init; }

    /// <summary>Counters summed over closed transactions.</summary>
    public TxStats TxStats { get; init; } = new();
}

/// <summary>What a transaction did (bbolt's TxStats).</summary>
public sealed class TxStats
{
    public long PageCount { get; set; }
    public long PageAlloc { get; set; }
    public long CursorCount { get; set; }
    public long NodeCount { get; set; }
    public long NodeDeref { get; set; }
    public long Rebalance { get; set; }
    public TimeSpan RebalanceTime { get; set; }
    public long Split { get; set; }
    public long Spill { get; set; }
    public TimeSpan SpillTime { get; set; }
    public long Write { get; set; }
    public TimeSpan WriteTime { get; set; }

    public TxStats Clone() => (TxStats)MemberwiseClone();

    internal void Add(TxStats other)
    {
        PageCount += other.PageCount;
        PageAlloc += other.PageAlloc;
        CursorCount += other.CursorCount;
        NodeCount += other.NodeCount;
        NodeDeref += other.NodeDeref;
        Rebalance += other.Rebalance;
        RebalanceTime += other.RebalanceTime;
        Split += other.Split;
        Spill += other.Spill;
        SpillTime += other.SpillTime;
        Write += other.Write;
        WriteTime += other.WriteTime;
    }
}
