using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Wal;

/// <summary>Sequential, buffered reads of one segment file from its start.</summary>
internal sealed class SegmentReader
{
    private const int ChunkBytes = 1024 * 1024;

    private readonly LockedFile _file;
    private readonly byte[] _chunk;
    private long _chunkFileOffset;
    private int _chunkLength;
    private int _chunkPosition;

    public SegmentReader(LockedFile file, string name)
    {
        _file = file;
        Name = name;
        _chunk = new byte[ChunkBytes];
    }

    /// <summary>The segment's file name (<c>%016x-%016x.wal</c>).</summary>
    public string Name { get; }

    public string Path => _file.Path;

    /// <summary>Copies up to <paramref name="destination"/>.Length bytes; fewer only at the end of the file.</summary>
    public int ReadFull(Span<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            if (_chunkPosition == _chunkLength && !Refill())
            {
                break;
            }
            int n = Math.Min(destination.Length - total, _chunkLength - _chunkPosition);
            _chunk.AsSpan(_chunkPosition, n).CopyTo(destination[total..]);
            _chunkPosition += n;
            total += n;
        }
        return total;
    }

    private bool Refill()
    {
        _chunkFileOffset += _chunkLength;
        _chunkLength = _file.ReadAtMost(_chunk, _chunkFileOffset);
        _chunkPosition = 0;
        return _chunkLength > 0;
    }
}
