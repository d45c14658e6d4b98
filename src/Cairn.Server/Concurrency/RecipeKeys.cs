using System.Globalization;
using System.Text;

namespace Cairn.Server.Concurrency;

/// <summary>The keys clientv3's recipes use: a prefix per lock or election, one key per lease under it.</summary>
public static class RecipeKeys
{
    /// <summary>The prefix of a lock or an election: its name and a slash.</summary>
    public static byte[] Prefix(ReadOnlySpan<byte> name)
    {
        var prefix = new byte[name.Length + 1];
        name.CopyTo(prefix);
        prefix[^1] = (byte)'/';
        return prefix;
    }

    /// <summary>
    /// A holder's key: the prefix and the lease ID in lower-case hex, as Go's <c>%x</c> prints an
    /// int64 (a minus sign and the magnitude for a negative ID).
    /// </summary>
    public static byte[] HolderKey(byte[] prefix, long lease)
    {
        string hex = lease < 0
            ? "-" + ((ulong)(-(lease + 1)) + 1).ToString("x", CultureInfo.InvariantCulture)
            : lease.ToString("x", CultureInfo.InvariantCulture);
        var key = new byte[prefix.Length + hex.Length];
        prefix.CopyTo(key, 0);
        Encoding.ASCII.GetBytes(hex, key.AsSpan(prefix.Length));
        return key;
    }

    /// <summary>
    /// The range end that makes a range cover every key starting with <paramref name="prefix"/>
    /// (clientv3's <c>GetPrefixRangeEnd</c>): the prefix with its last byte below 0xff
    /// incremented and what follows dropped; "\0" (every key from the prefix on) when there is none.
    /// </summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xff)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }
        return [0];
    }
}
