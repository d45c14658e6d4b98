namespace Cairn.Storage.FileSystem;

/// <summary>
/// Where a WAL's fdatasyncs go: the disk itself, or, in tests, a counter in front of it that pins
/// how many flushes an append costs (the number that bounds commit latency).
/// </summary>
internal interface IDataSync
{
    void Fdatasync(LockedFile file);
}
