using Cairn.Storage.Native;

namespace Cairn.Storage.Bolt.Storage;

/// <summary>
/// One read-only shared memory map of the database file, reference counted. bbolt must wait for
/// every reader before it remaps a growing file; here the writer maps a larger region and the old
/// one stays mapped until the last transaction that uses it ends, so readers never block the
/// writer and the writer never blocks readers. Both maps show the same page cache.
/// </summary>
internal sealed unsafe class MapRegion
{
    private int _references = 1;

    private MapRegion(byte* start, long length)
    {
        Start = start;
        Length = length;
    }

    public byte* Start { get; }

    public long Length { get; }

    public static MapRegion Map(int fd, long length, bool populate, string path)
    {
        var flags = LinuxSyscalls.MAP_SHARED | (populate ? LinuxSyscalls.MAP_POPULATE : 0);
        var address = LinuxSyscalls.Mmap(0, (nuint)length, LinuxSyscalls.PROT_READ, flags, fd, 0);
        if (address == -1)
        {
            throw BoltErrors.Io(path, $"mmap of {length} bytes", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        // Random access is what a B+tree does; bbolt says the same with MADV_RANDOM.
        _ = LinuxSyscalls.Madvise(address, (nuint)length, LinuxSyscalls.MADV_RANDOM);
        return new MapRegion((byte*)address, length);
    }

    /// <summary>Adds a user. Only call while another reference is known to be held.</summary>
    public MapRegion Acquire()
    {
        Interlocked.Increment(ref _references);
        return this;
    }

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _ = LinuxSyscalls.Munmap((nint)Start, (nuint)Length);
        }
    }
}
