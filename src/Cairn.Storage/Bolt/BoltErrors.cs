namespace Cairn.Storage.Bolt;

/// <summary>What went wrong, one value per bbolt error (errors.go) plus corruption and I/O.</summary>
public enum BoltErrorCode
{
    /// <summary>The database was closed (bbolt: "database not open").</summary>
    DatabaseNotOpen,
    /// <summary>Neither meta page is a bolt meta page (bbolt: "invalid database").</summary>
    Invalid,
    /// <summary>A meta page carries another format version (bbolt: "version mismatch").</summary>
    VersionMismatch,
    /// <summary>Both meta pages fail their FNV-64a checksum (bbolt: "checksum error").</summary>
    Checksum,
    /// <summary>The file lock was not obtained in time (bbolt: "timeout").</summary>
    LockTimeout,
    /// <summary>A write on a read transaction (bbolt: "tx not writable").</summary>
    TxNotWritable,
    /// <summary>Use of a committed or rolled back transaction (bbolt: "tx closed").</summary>
    TxClosed,
    /// <summary>A write transaction on a read-only database (bbolt: "database is in read-only mode").</summary>
    DatabaseReadOnly,
    /// <summary>bbolt: "bucket not found".</summary>
    BucketNotFound,
    /// <summary>bbolt: "bucket already exists".</summary>
    BucketExists,
    /// <summary>bbolt: "bucket name required".</summary>
    BucketNameRequired,
    /// <summary>bbolt: "key required".</summary>
    KeyRequired,
    /// <summary>bbolt: "key too large".</summary>
    KeyTooLarge,
    /// <summary>bbolt: "value too large".</summary>
    ValueTooLarge,
    /// <summary>A bucket where a value is expected or the other way round (bbolt: "incompatible value").</summary>
    IncompatibleValue,
    /// <summary>A page or structure that cannot be right: the message names file and page.</summary>
    Corrupted,
    /// <summary>A system call failed: the message names the call, the file and errno.</summary>
    Io,
}

/// <summary>Every error the engine raises. <see cref="Code"/> says which; the message says where.</summary>
public class BoltException : Exception
{
    public BoltException(BoltErrorCode code, string message, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
    }

    public BoltErrorCode Code { get; }
}

/// <summary>
/// The file holds something a correct writer cannot have produced (or has been truncated):
/// a bad page type, a page id past the high water mark, an element outside its page, a cycle.
/// </summary>
public sealed class BoltCorruptionException : BoltException
{
    public BoltCorruptionException(string filePath, ulong? pageId, string problem)
        : base(BoltErrorCode.Corrupted, Describe(filePath, pageId, problem))
    {
        FilePath = filePath;
        PageId = pageId;
        Problem = problem;
    }

    public string FilePath { get; }

    public ulong? PageId { get; }

    public string Problem { get; }

    private static string Describe(string filePath, ulong? pageId, string problem) =>
        pageId is { } id ? $"bolt: {filePath}: page {id}: {problem}" : $"bolt: {filePath}: {problem}";
}

/// <summary>The one place that spells the engine's error messages.</summary>
internal static class BoltErrors
{
    public static BoltException DatabaseNotOpen(string path) =>
        new(BoltErrorCode.DatabaseNotOpen, $"bolt: {path}: database not open");

    public static BoltException TxClosed() => new(BoltErrorCode.TxClosed, "bolt: tx closed");

    public static BoltException TxNotWritable() => new(BoltErrorCode.TxNotWritable, "bolt: tx not writable");

    public static BoltException DatabaseReadOnly(string path) =>
        new(BoltErrorCode.DatabaseReadOnly, $"bolt: {path}: database is in read-only mode");

    public static BoltException LockTimeout(string path) =>
        new(BoltErrorCode.LockTimeout, $"bolt: {path}: timeout waiting for the file lock (another process has the database open)");

    public static BoltException BucketNotFound() => new(BoltErrorCode.BucketNotFound, "bolt: bucket not found");

    public static BoltException BucketExists() => new(BoltErrorCode.BucketExists, "bolt: bucket already exists");

    public static BoltException BucketNameRequired() => new(BoltErrorCode.BucketNameRequired, "bolt: bucket name required");

    public static BoltException KeyRequired() => new(BoltErrorCode.KeyRequired, "bolt: key required");

    public static BoltException KeyTooLarge(int length) =>
        new(BoltErrorCode.KeyTooLarge, $"bolt: key too large ({length} bytes, at most {BoltLimits.MaxKeySize})");

    public static BoltException ValueTooLarge(long length) =>
        new(BoltErrorCode.ValueTooLarge, $"bolt: value too large ({length} bytes, at most {BoltLimits.MaxValueSize})");

    public static BoltException IncompatibleValue() => new(BoltErrorCode.IncompatibleValue, "bolt: incompatible value");

    public static BoltException InvalidMeta(string path, BoltErrorCode code, string detail) =>
        new(code, $"bolt: {path}: {detail}");

    public static BoltException Io(string path, string call, int errno) =>
        new(BoltErrorCode.Io, $"bolt: {path}: {call} failed: {Cairn.Storage.Native.LinuxSyscalls.ErrorText(errno)}");

    public static BoltException Io(string path, string call, Exception inner) =>
        new(BoltErrorCode.Io, $"bolt: {path}: {call} failed: {inner.Message}", inner);

    public static BoltCorruptionException Corrupt(string path, ulong? page, string problem) => new(path, page, problem);
}

/// <summary>bbolt's size limits (bucket.go).</summary>
public static class BoltLimits
{
    /// <summary>The largest key, in bytes.</summary>
    public const int MaxKeySize = 32768;

    /// <summary>The largest value, in bytes.</summary>
    public const long MaxValueSize = (1L << 31) - 2;
}
