using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Cairn.Storage.Crc;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of etcd's WAL records and snap files. <see cref="Update"/>
/// has the semantics of Go's <c>crc32.Update(crc, castagnoliTable, p)</c>: the running value is the
/// finished checksum of everything so far (pre- and post-inverted), so chaining
/// <c>Update(Update(0, a), b)</c> equals the checksum of <c>a‖b</c> and a WAL's CRC can be carried
/// from one record, or one segment, to the next as a plain <see cref="uint"/>.
/// </summary>
public static class Crc32C
{
    /// <summary>The reflected Castagnoli polynomial.</summary>
    private const uint Polynomial = 0x82F63B78;

    // Slicing-by-8 tables for machines without a CRC instruction; immutable once built.
    private static readonly uint[] Table = BuildTable();

    /// <summary>The checksum of <paramref name="data"/> alone.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>Continues the checksum <paramref name="crc"/> over <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        if (Sse42.X64.IsSupported)
        {
            c = UpdateSse42X64(c, data);
        }
        else if (Crc32.Arm64.IsSupported)
        {
            c = UpdateArm64(c, data);
        }
        else
        {
            c = UpdateTable(c, data);
        }
        return ~c;
    }

    /// <summary>The table-driven path, visible to the tests so both paths are checked on any CPU.</summary>
    internal static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data) => ~UpdateTable(~crc, data);

    private static uint UpdateSse42X64(uint c, ReadOnlySpan<byte> data)
    {
        ulong c64 = c;
        while (data.Length >= 8)
        {
            c64 = Sse42.X64.Crc32(c64, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        c = (uint)c64;
        if (data.Length >= 4)
        {
            c = Sse42.Crc32(c, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }
        foreach (byte b in data)
        {
            c = Sse42.Crc32(c, b);
        }
        return c;
    }

    private static uint UpdateArm64(uint c, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            c = Crc32.Arm64.ComputeCrc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data)
        {
            c = Crc32.ComputeCrc32C(c, b);
        }
        return c;
    }

    private static uint UpdateTable(uint c, ReadOnlySpan<byte> data)
    {
        uint[] t = Table;
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[(7 * 256) + (lo & 0xFF)] ^ t[(6 * 256) + ((lo >> 8) & 0xFF)]
              ^ t[(5 * 256) + ((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (lo >> 24)]
              ^ t[(3 * 256) + (hi & 0xFF)] ^ t[(2 * 256) + ((hi >> 8) & 0xFF)]
              ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
            data = data[8..];
        }
        foreach (byte b in data)
        {
            c = t[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return c;
    }

    private static uint[] BuildTable()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            }
            t[i] = c;
        }
        for (int slice = 1; slice < 8; slice++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint prev = t[((slice - 1) * 256) + i];
                t[(slice * 256) + i] = t[prev & 0xFF] ^ (prev >> 8);
            }
        }
        return t;
    }
}
