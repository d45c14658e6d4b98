namespace Cairn.Storage.FileSystem;

/// <summary>fdatasync(2) on the file, nothing else: what every WAL uses outside tests.</summary>
internal sealed class DiskDataSync : IDataSync
{
    public static DiskDataSync Instance { get; } = new();

    private DiskDataSync()
    {
    }

    public void Fdatasync(LockedFile file) => file.Fdatasync();
}
