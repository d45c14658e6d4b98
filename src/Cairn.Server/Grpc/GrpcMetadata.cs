using System.Collections;

namespace Cairn.Server.Grpc;

/// <summary>
/// Custom metadata of a call: request headers a client sends, response headers and trailers a
/// server sends. Keys are lower-case ASCII; a key ending in <c>-bin</c> carries bytes (base64 on
/// the wire), any other key an ASCII string. Keys may repeat; order is kept.
/// </summary>
public sealed class GrpcMetadata : IReadOnlyList<GrpcMetadata.Entry>
{
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries;
    private bool _readOnly;

    public GrpcMetadata()
    {
        _entries = [];
    }

    private GrpcMetadata(List<Entry> entries, bool readOnly)
    {
        _entries = entries;
        _readOnly = readOnly;
    }

    /// <summary>An empty, read-only instance (safe to share).</summary>
    public static GrpcMetadata Empty { get; } = new([], readOnly: true);

    public int Count => _entries.Count;

    public bool IsReadOnly => _readOnly;

    public Entry this[int index] => _entries[index];

    public GrpcMetadata Add(string key, string value)
    {
        var normalized = NormalizeKey(key);
        if (IsBinaryKey(normalized))
        {
            throw new ArgumentException($"metadata key '{key}' ends in -bin and so carries bytes, not a string", nameof(key));
        }
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E)
            {
                throw new ArgumentException($"metadata value for '{key}' must be printable ASCII", nameof(value));
            }
        }
        return Append(new Entry(normalized, value, null));
    }

    public GrpcMetadata Add(string key, byte[] value)
    {
        var normalized = NormalizeKey(key);
        if (!IsBinaryKey(normalized))
        {
            throw new ArgumentException($"metadata key '{key}' carries bytes and so must end in -bin", nameof(key));
        }
        ArgumentNullException.ThrowIfNull(value);
        return Append(new Entry(normalized, null, value));
    }

    /// <summary>The last string value under <paramref name="key"/>, or null.</summary>
    public string? GetValue(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i].Value;
            }
        }
        return null;
    }

    /// <summary>The last binary value under <paramref name="key"/> (which ends in -bin), or null.</summary>
    public byte[]? GetBytes(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i].ValueBytes;
            }
        }
        return null;
    }

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal GrpcMetadata Freeze()
    {
        _readOnly = true;
        return this;
    }

    /// <summary>Adds an entry as it came off the wire: binary values are base64 (padded or not).</summary>
    internal bool TryAddFromWire(string key, string wireValue)
    {
        var normalized = key.ToLowerInvariant();
        if (!IsBinaryKey(normalized))
        {
            Append(new Entry(normalized, wireValue, null));
            return true;
        }
        var bytes = DecodeBase64(wireValue);
        if (bytes is null)
        {
            return false;
        }
        Append(new Entry(normalized, null, bytes));
        return true;
    }

    internal static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>gRPC sends binary values as base64 without padding, and accepts either.</summary>
    internal static string EncodeBase64(byte[] value) => Convert.ToBase64String(value).TrimEnd('=');

    private static byte[]? DecodeBase64(string value)
    {
        var padded = (value.Length % 4) switch
        {
            0 => value,
            2 => value + "==",
            3 => value + "=",
            _ => null,
        };
        if (padded is null)
        {
            return null;
        }
        var buffer = new byte[padded.Length / 4 * 3];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer.AsSpan(0, written).ToArray() : null;
    }

    private GrpcMetadata Append(Entry entry)
    {
        if (_readOnly)
        {
            throw new InvalidOperationException("this metadata is read-only");
        }
        _entries.Add(entry);
        return this;
    }

    private static string NormalizeKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        foreach (var c in key)
        {
            var valid = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.';
            if (!valid)
            {
                throw new ArgumentException($"metadata key '{key}' may hold only letters, digits, '-', '_' and '.'", nameof(key));
            }
        }
        if (key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"metadata key '{key}' is reserved for the gRPC protocol", nameof(key));
        }
        return key.ToLowerInvariant();
    }

    /// <summary>One key with either a string value or, for a -bin key, a byte value.</summary>
    public readonly record struct Entry(string Key, string? Value, byte[]? ValueBytes)
    {
        public bool IsBinary => ValueBytes is not null;

        /// <summary>The value as the wire carries it.</summary>
        public string WireValue => ValueBytes is null ? Value! : EncodeBase64(ValueBytes);

        public override string ToString() => IsBinary ? $"{Key}: {Convert.ToHexString(ValueBytes!)}" : $"{Key}: {Value}";
    }
}
