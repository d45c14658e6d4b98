using Cairn.Storage.FileSystem;

namespace Cairn.Storage.Wal;

/// <summary>
/// Prepares the next segment file in the background (etcd's <c>filePipeline</c>): a locked,
/// preallocated <c>0.tmp</c> or <c>1.tmp</c> is ready by the time the WAL cuts, so a cut costs a
/// few small writes and a rename rather than a 64 MB allocation. One file is prepared ahead.
/// </summary>
internal sealed class SegmentPipeline : IDisposable
{
    private readonly string _directory;
    private readonly long _size;
    private readonly object _gate = new();
    private readonly Thread _thread;
    private LockedFile? _ready;
    private Exception? _error;
    private bool _closed;
    private int _count;

    public SegmentPipeline(string directory, long size)
    {
        _directory = directory;
        _size = size;
        _thread = new Thread(Run) { IsBackground = true, Name = "wal segment pipeline" };
        _thread.Start();
    }

    /// <summary>Takes the prepared file, waiting for it if needed. Rename it before the next call.</summary>
    public LockedFile Take()
    {
        lock (_gate)
        {
            while (_ready is null && _error is null && !_closed)
            {
                Monitor.Wait(_gate);
            }
            if (_ready is not null)
            {
                var file = _ready;
                _ready = null;
                Monitor.PulseAll(_gate);
                return file;
            }
            if (_error is not null)
            {
                throw new IOException($"wal: failed to prepare the next segment in {_directory}: {_error.Message}", _error);
            }
            throw new ObjectDisposedException(nameof(SegmentPipeline));
        }
    }

    /// <summary>Stops preparing and removes a prepared file nobody took.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
        lock (_gate)
        {
            if (_ready is not null)
            {
                TryDelete(_ready.Path);
                _ready.Dispose();
                _ready = null;
            }
        }
    }

    private void Run()
    {
        while (true)
        {
            LockedFile file;
            try
            {
                file = Allocate();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                lock (_gate)
                {
                    _error = e;
                    Monitor.PulseAll(_gate);
                }
                return;
            }
            lock (_gate)
            {
                _ready = file;
                Monitor.PulseAll(_gate);
                while (_ready is not null && !_closed)
                {
                    Monitor.Wait(_gate);
                }
                if (_closed)
                {
                    return; // Dispose removes an untaken file
                }
            }
        }
    }

    private LockedFile Allocate()
    {
        // Alternate names so the file being prepared is never the one just handed out.
        string path = System.IO.Path.Combine(_directory, $"{_count % 2}.tmp");
        // Truncate first: a .tmp left by a crash mid-cut may hold records that must not be read
        // back after the ones this segment will get.
        var file = LockedFile.Lock(path, FileMode.Create, FileAccess.ReadWrite);
        try
        {
            file.Preallocate(_size, extendFile: true);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        _count++;
        return file;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // best effort, as etcd: a leftover .tmp is ignored and reused
        }
    }
}
