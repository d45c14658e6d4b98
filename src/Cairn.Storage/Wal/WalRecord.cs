namespace Cairn.Storage.Wal;

/// <summary>
/// A decoded <c>walpb.Record</c>. <see cref="Data"/> points into the decoder's buffer and is valid
/// until the next record is decoded.
/// </summary>
internal readonly ref struct WalRecord
{
    public WalRecord(long type, uint crc, ReadOnlySpan<byte> data, bool hasData)
    {
        Type = type;
        Crc = crc;
        Data = data;
        HasData = hasData;
    }

    public long Type { get; }

    public uint Crc { get; }

    public ReadOnlySpan<byte> Data { get; }

    /// <summary>Whether the data field was present (an absent field and an empty one differ on disk).</summary>
    public bool HasData { get; }
}
