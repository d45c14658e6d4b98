namespace Cairn.Storage.Snap.V2Store;

/// <summary>etcd's v2 error codes for the store operations Cairn performs.</summary>
public enum V2ErrorCode
{
    KeyNotFound = 100,
    NotFile = 102,
    NotDir = 104,
    NodeExist = 105,
    RootReadOnly = 107,
    DirNotEmpty = 108,
}

/// <summary>A v2 store operation that etcd would refuse, with etcd's message, cause and store index.</summary>
public sealed class V2StoreException : InvalidOperationException
{
    public V2StoreException(V2ErrorCode code, string cause, ulong index)
        : base($"{Text(code)} ({cause}) [{index}]")
    {
        Code = code;
        Cause = cause;
        Index = index;
    }

    public V2ErrorCode Code { get; }

    public string Cause { get; }

    public ulong Index { get; }

    private static string Text(V2ErrorCode code) => code switch
    {
        V2ErrorCode.KeyNotFound => "Key not found",
        V2ErrorCode.NotFile => "Not a file",
        V2ErrorCode.NotDir => "Not a directory",
        V2ErrorCode.NodeExist => "Key already exists",
        V2ErrorCode.RootReadOnly => "Root is read only",
        V2ErrorCode.DirNotEmpty => "Directory not empty",
        _ => code.ToString(),
    };
}
