namespace Cairn.Server.Watch;

/// <summary>The cancel reasons of a create request etcd refuses (mvcc/watcher.go), word for word.</summary>
internal static class WatchErrors
{
    public const string EmptyRange = "mvcc: watcher range is empty";

    public const string DuplicateId = "mvcc: duplicate watch ID provided on the WatchStream";
}
