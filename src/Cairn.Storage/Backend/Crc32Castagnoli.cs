using System.Runtime.Intrinsics.X86;

namespace Cairn.Storage.Backend;

/// <summary>
/// Incremental CRC-32C (Castagnoli), as Go's crc32.New(crc32.MakeTable(crc32.Castagnoli)) which
/// etcd uses for its backend hashes. SSE4.2 when available, a table otherwise.
/// </summary>
internal struct Crc32Castagnoli
{
    private const uint Polynomial = 0x82F63B78;
    private static readonly uint[] Table = BuildTable();

    private uint _state;

    public static Crc32Castagnoli Create() => new() { _state = 0xFFFFFFFF };

    public readonly uint Value => ~_state;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _state;
        if (Sse42.X64.IsSupported)
        {
            while (data.Length >= 8)
            {
                crc = (uint)Sse42.X64.Crc32(crc, BitConverter.ToUInt64(data));
                data = data[8..];
            }
            foreach (var b in data)
            {
                crc = Sse42.Crc32(crc, b);
            }
        }
        else
        {
            foreach (var b in data)
            {
                crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
            }
        }
        _state = crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }
}
