namespace Cairn.Storage.Snap;

/// <summary>A snap file that cannot be used, with etcd's error text and the file's path.</summary>
public sealed class SnapException : IOException
{
    public SnapException(SnapErrorKind kind, string path, string? detail = null)
        : base($"{EtcdText(kind)}{(detail is null ? "" : $" ({detail})")}: {path}")
    {
        Kind = kind;
        Path = path;
    }

    public SnapErrorKind Kind { get; }

    /// <summary>The file (or, for <see cref="SnapErrorKind.NoSnapshot"/>, the directory) at fault.</summary>
    public string Path { get; }

    public static string EtcdText(SnapErrorKind kind) => kind switch
    {
        SnapErrorKind.NoSnapshot => "snap: no available snapshot",
        SnapErrorKind.EmptySnapshot => "snap: empty snapshot",
        SnapErrorKind.CrcMismatch => "snap: crc mismatch",
        SnapErrorKind.Corrupt => "snap: corrupt snapshot file",
        SnapErrorKind.NoDbSnapshot => "snap: snapshot file doesn't exist",
        _ => kind.ToString(),
    };
}
