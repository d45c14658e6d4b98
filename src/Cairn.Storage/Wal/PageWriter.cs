using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Wal;

/// <summary>
/// Buffers writes to a segment so that they reach the file in whole pages, aligned to the file's
/// page boundaries, except when flushed (etcd's <c>ioutil.PageWriter</c>, same watermark and page
/// size, so Cairn's writes, and therefore where it cuts segments, are the same as etcd's).
/// </summary>
internal sealed class PageWriter
{
    private const int WatermarkBytes = 128 * 1024;
    private const int PageBytes = WalFrame.PageBytes;

    private readonly byte[] _buffer = new byte[WatermarkBytes + PageBytes];
    private LockedFile _file;
    private int _pageOffset;
    private int _buffered;

    public PageWriter(LockedFile file, long fileOffset)
    {
        _file = file;
        FileOffset = fileOffset;
        _pageOffset = (int)(fileOffset % PageBytes);
    }

    /// <summary>Offset in the file up to which bytes have been written (the fd position in etcd).</summary>
    public long FileOffset { get; private set; }

    public int Buffered => _buffered;

    public void SwitchTo(LockedFile file, long fileOffset)
    {
        if (_buffered != 0)
        {
            throw new InvalidOperationException("flush before switching files");
        }
        _file = file;
        FileOffset = fileOffset;
        _pageOffset = (int)(fileOffset % PageBytes);
    }

    /// <summary>
    /// Room for up to <paramref name="maxBytes"/> in the buffer when that much would stay under
    /// the watermark (so writing them would be a plain copy), else an empty span. Follow with
    /// <see cref="Commit"/> of the bytes actually filled in.
    /// </summary>
    public Span<byte> ReserveUnderWatermark(int maxBytes) =>
        _buffered + maxBytes <= WatermarkBytes ? _buffer.AsSpan(_buffered, maxBytes) : default;

    public void Commit(int bytes) => _buffered += bytes;

    public void Write(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            if (data.Length + _buffered <= WatermarkBytes)
            {
                data.CopyTo(_buffer.AsSpan(_buffered));
                _buffered += data.Length;
                return;
            }
            // Complete the partial page at the end of the buffer first.
            int slack = PageBytes - ((_pageOffset + _buffered) % PageBytes);
            if (slack != PageBytes)
            {
                bool partial = slack > data.Length;
                if (partial)
                {
                    slack = data.Length;
                }
                data[..slack].CopyTo(_buffer.AsSpan(_buffered));
                _buffered += slack;
                data = data[slack..];
                if (partial)
                {
                    return; // not enough to complete the page: no unaligned write
                }
            }
            Flush();
            if (data.Length > PageBytes)
            {
                int pages = data.Length / PageBytes * PageBytes;
                WriteToFile(data[..pages]);
                data = data[pages..];
            }
        }
    }

    public void Flush()
    {
        if (_buffered == 0)
        {
            return;
        }
        WriteToFile(_buffer.AsSpan(0, _buffered));
        _pageOffset = (_pageOffset + _buffered) % PageBytes;
        _buffered = 0;
    }

    private void WriteToFile(ReadOnlySpan<byte> data)
    {
        _file.Write(data, FileOffset);
        FileOffset += data.Length;
    }
}
