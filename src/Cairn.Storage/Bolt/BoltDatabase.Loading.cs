using Cairn.Storage.Bolt.Format;
using Cairn.Storage.Bolt.Storage;

namespace Cairn.Storage.Bolt;

/// <summary>Opening a file: the initial layout of a new one, choosing the meta page, loading or rebuilding the freelist.</summary>
public sealed partial class BoltDatabase
{
    private static unsafe void Initialize(DatabaseFile file, int pageSize)
    {
        var buffer = new byte[pageSize * 4];
        fixed (byte* b = buffer)
        {
            for (var i = 0; i < 2; i++)
            {
                var p = b + (i * pageSize);
                Page.WriteHeader(p, (ulong)i, PageLayout.MetaPageFlag, 0, 0);
                var meta = new Meta
                {
                    Magic = PageLayout.Magic,
                    Version = PageLayout.Version,
                    PageSize = (uint)pageSize,
                    Freelist = 2,
                    Root = 3,
                    Pgid = 4,
                    TxId = (ulong)i,
                };
                meta.Checksum = meta.ComputeChecksum();
                meta.Write(p + PageLayout.HeaderSize);
            }
            Page.WriteHeader(b + (2 * pageSize), 2, PageLayout.FreelistPageFlag, 0, 0);
            Page.WriteHeader(b + (3 * pageSize), 3, PageLayout.LeafPageFlag, 0, 0);
        }
        file.WriteAt(buffer, 0);
        file.DataSync();
    }

    /// <summary>The page size recorded in meta page 0 if it is valid; otherwise the configured one (as bbolt).</summary>
    private static unsafe int ReadPageSize(DatabaseFile file, int fallback)
    {
        var buffer = new byte[0x1000];
        var read = file.ReadAt(buffer, 0);
        if (read < buffer.Length)
        {
            throw BoltErrors.InvalidMeta(file.Path, BoltErrorCode.Invalid, $"invalid database (file of {file.Length} bytes is too small to hold the meta pages)");
        }
        fixed (byte* b = buffer)
        {
            var meta = Meta.Read(b + PageLayout.HeaderSize);
            if (meta.Validate() is null)
            {
                var pageSize = (int)meta.PageSize;
                if (pageSize < 1024 || pageSize > 65536 || (pageSize & (pageSize - 1)) != 0)
                {
                    throw BoltErrors.Corrupt(file.Path, 0, $"meta page records an invalid page size {meta.PageSize}");
                }
                return pageSize;
            }
        }
        return fallback;
    }

    private void MapAndLoadMeta()
    {
        var length = File.Length;
        if (length < PageSize * 2L)
        {
            throw BoltErrors.InvalidMeta(Path, BoltErrorCode.Invalid, $"invalid database (file size {length} is smaller than two pages)");
        }
        _fileSize = length;
        _region = MapRegion.Map(File.Descriptor, MmapSize(Math.Max(length, Options.InitialMmapSize)), Options.Populate, Path);
        _meta = SelectMeta(length);
    }

    /// <summary>
    /// The meta with the highest txid that validates, else the other one (a torn meta write falls
    /// back to the previous commit). A valid meta that points past the end of the file means the
    /// file was truncated: that is refused, never silently read.
    /// </summary>
    private unsafe Meta SelectMeta(long fileLength)
    {
        var metas = new Meta[2];
        var problems = new (BoltErrorCode Code, string Problem)?[2];
        for (var i = 0; i < 2; i++)
        {
            metas[i] = Meta.Read(_region.Start + ((long)i * PageSize) + PageLayout.HeaderSize);
            problems[i] = metas[i].Validate();
        }
        if (problems[0] is { } p0 && problems[1] is { } p1)
        {
            throw BoltErrors.InvalidMeta(Path, p0.Code, $"both meta pages are invalid: meta page 0: {p0.Problem}; meta page 1: {p1.Problem}");
        }
        var newest = metas[1].TxId > metas[0].TxId ? 1 : 0;
        var chosen = problems[newest] is null ? newest : 1 - newest;
        var meta = metas[chosen];
        if (meta.PageSize != PageSize)
        {
            throw BoltErrors.Corrupt(Path, (ulong)chosen, $"meta page records page size {meta.PageSize}, the file uses {PageSize}");
        }
        if (meta.Pgid < 2 || (long)meta.Pgid * PageSize > fileLength)
        {
            throw BoltErrors.Corrupt(Path, (ulong)chosen, $"high water mark of {meta.Pgid} pages is past the end of the file ({fileLength} bytes): truncated file");
        }
        if (meta.Root < 2 || meta.Root >= meta.Pgid)
        {
            throw BoltErrors.Corrupt(Path, (ulong)chosen, $"root bucket page {meta.Root} is outside [2, {meta.Pgid})");
        }
        if (meta.HasSyncedFreelist && (meta.Freelist < 2 || meta.Freelist >= meta.Pgid))
        {
            throw BoltErrors.Corrupt(Path, (ulong)chosen, $"freelist page {meta.Freelist} is outside [2, {meta.Pgid})");
        }
        return meta;
    }

    private void LoadFreelist()
    {
        var freelist = new Freelist(Path);
        freelist.SetFreeIds(_meta.HasSyncedFreelist ? ReadFreelistIds(_meta) : ScanFreePages(_meta));
        _freelist = freelist;
        lock (_statsLock)
        {
            _stats = _stats with { FreePageN = freelist.FreeCount };
        }
    }

    private ulong[] ReadFreelistIds(Meta meta)
    {
        var tx = new BoltTransaction(this, writable: false, meta, _region.Acquire());
        try
        {
            var page = tx.Page(meta.Freelist);
            if ((page.Flags & PageLayout.FreelistPageFlag) == 0)
            {
                throw page.Corrupt($"expected the freelist, found a {page.TypeName} page");
            }
            var ids = Freelist.ReadIds(page, meta.Pgid);
            Array.Sort(ids);
            return ids;
        }
        finally
        {
            tx.ReleaseDetached();
        }
    }

    /// <summary>Without a freelist page (NoFreelistSync), every page no bucket reaches is free.</summary>
    private ulong[] ScanFreePages(Meta meta)
    {
        var tx = new BoltTransaction(this, writable: false, meta, _region.Acquire());
        try
        {
            var reachable = ConsistencyCheck.ReachablePages(tx);
            var free = new List<ulong>();
            for (ulong i = 2; i < meta.Pgid; i++)
            {
                if (!reachable.Contains(i))
                {
                    free.Add(i);
                }
            }
            return free.ToArray();
        }
        finally
        {
            tx.ReleaseDetached();
        }
    }
}
