namespace Cairn.Storage.Snap;

/// <summary>What went wrong with a snap file; each kind is one of etcd's <c>snap</c> errors.</summary>
public enum SnapErrorKind
{
    /// <summary>No loadable snapshot in the directory (<c>snap: no available snapshot</c>).</summary>
    NoSnapshot,

    /// <summary>The file, or its data, is empty or has a zero CRC (<c>snap: empty snapshot</c>).</summary>
    EmptySnapshot,

    /// <summary>The data does not match its CRC (<c>snap: crc mismatch</c>).</summary>
    CrcMismatch,

    /// <summary>The file or the raft snapshot in it does not unmarshal.</summary>
    Corrupt,

    /// <summary>No <c>&lt;index&gt;.snap.db</c> for the index (<c>snap: snapshot file doesn't exist</c>).</summary>
    NoDbSnapshot,
}
