namespace Cairn.Bench.Kv;

/// <summary>
/// Which key a request uses, laid out as etcd's benchmark tool does: the key's number as a Go
/// signed varint at the start of a zeroed buffer of the key size. Sequential keys go round the
/// space in order (each client striding over its own share); random keys are uniform over it.
/// </summary>
internal sealed class KeySpace
{
    public KeySpace(int keySize, long size, bool sequential)
    {
        if (keySize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(keySize), "the key size must be at least 1 byte");
        }
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "the key space must hold at least one key");
        }
        if (VarintLength(size - 1) > keySize)
        {
            throw new ArgumentException($"a key space of {size:N0} keys does not fit in {keySize}-byte keys", nameof(size));
        }
        KeySize = keySize;
        Size = size;
        Sequential = sequential;
    }

    public int KeySize { get; }

    public long Size { get; }

    public bool Sequential { get; }

    /// <summary>The key numbered <paramref name="number"/> written over <paramref name="key"/> (KeySize bytes).</summary>
    public static void Write(long number, Span<byte> key)
    {
        key.Clear();
        var zigzag = (ulong)(number << 1) ^ (ulong)(number >> 63);
        var i = 0;
        while (zigzag >= 0x80)
        {
            key[i++] = (byte)(zigzag | 0x80);
            zigzag >>= 7;
        }
        key[i] = (byte)zigzag;
    }

    private static int VarintLength(long number)
    {
        var zigzag = (ulong)(number << 1) ^ (ulong)(number >> 63);
        var length = 1;
        while (zigzag >= 0x80)
        {
            zigzag >>= 7;
            length++;
        }
        return length;
    }
}
