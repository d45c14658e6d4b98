using Cairn.Protocol.Mvccpb;
using Cairn.Server.Errors;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// Brings unsynced watchers up to date (etcd's syncWatchersLoop), one bounded round at a time:
/// the hub plans a round under its lock, this reads the round's history from the backend outside
/// it (at most <see cref="WatchOptions.CatchUpReadBytes"/> of records, whole revisions), and the
/// hub queues the events and syncs the watchers that reached the present. Rounds run back to back
/// while there is work a stream has room for, and otherwise wait for a signal: a new unsynced
/// watcher, or a stream that drained.
/// </summary>
internal sealed class CatchUpLoop : IAsyncDisposable
{
    private readonly WatchHub _hub;
    private readonly MvccStore _store;
    private readonly IRevisionBackend _backend;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    // The last backend read, reused by the rounds after it that start within it.
    private BackendRead? _lastRead;

    public CatchUpLoop(WatchHub hub, MvccStore store, IRevisionBackend backend)
    {
        _hub = hub;
        _store = store;
        _backend = backend;
        _running = Task.Run(RunAsync);
    }

    /// <summary>The last error a round failed with (the loop goes on with the next round).</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Wakes the loop; never blocks.</summary>
    public void Signal()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Signalled by another thread meanwhile: one wake-up is enough.
            }
        }
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            bool worked;
            try
            {
                worked = RunRound();
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // A round that failed (a backend error) is tried again later; nothing was queued.
                LastError = e;
                worked = false;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            if (worked)
            {
                continue;
            }
            try
            {
                await _wake.WaitAsync(_hub.Options.CatchUpIdleInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Plans, reads and completes one round; false when there was nothing to do.</summary>
    internal bool RunRound()
    {
        var round = _hub.PlanRound(_lastRead?.Span ?? RevisionSpan.Empty, out bool progressed);
        if (round is null)
        {
            return progressed;
        }
        var (history, readUpTo) = Read(round);
        long compacted = _store.CompactedRevision;
        if (compacted != round.CompactedRevision && round.From <= compacted)
        {
            // A compaction began during the read and may have removed records it needed: the
            // next round tells the watchers below it that they were compacted.
            _lastRead = null;
            return true;
        }
        LookUpPreviousValues(round, history);
        _hub.CompleteRound(round, readUpTo, history);
        return true;
    }

    /// <summary>
    /// The history from the round's first revision: what the last read holds of it when that
    /// read started at or before it and reached it (many watchers fall behind together, and the
    /// rounds serving them one group after another all need the same revisions), otherwise a
    /// new read of whole revisions, at most <see cref="WatchOptions.CatchUpReadBytes"/> of records.
    /// </summary>
    private (IReadOnlyList<RevisionEvents> History, long ReadUpTo) Read(CatchUpRound round)
    {
        if (_lastRead is { } last && last.From <= round.From && round.From <= last.ReadUpTo)
        {
            return (last.History, Math.Min(last.ReadUpTo, round.Target));
        }
        var history = new List<RevisionEvents>();
        var events = new List<WatchEvent>();
        long budget = _hub.Options.CatchUpReadBytes;
        long bytes = 0;
        long revision = -1;
        long readUpTo = round.Target;
        _backend.ScanRecords(new Revision(round.From, 0), new Revision(round.Target + 1, 0), (at, isTombstone, record) =>
        {
            if (at.Main != revision)
            {
                if (events.Count > 0)
                {
                    history.Add(new RevisionEvents(revision, [.. events]));
                    events.Clear();
                }
                if (bytes >= budget)
                {
                    // Whole revisions only: this one is left for the next round.
                    readUpTo = revision;
                    return false;
                }
                revision = at.Main;
            }
            bytes += record.Length;
            events.Add(isTombstone ? TombstoneEvent(record, at.Main) : WatchEvent.FromStoredPut(record));
            return true;
        });
        if (events.Count > 0)
        {
            history.Add(new RevisionEvents(revision, [.. events]));
        }
        _lastRead = new BackendRead(round.From, readUpTo, history);
        _hub.Counters.BackendRead();
        return (history, readUpTo);
    }

    /// <summary>A tombstone as etcd's kvsToEvents makes it: a DELETE of the key with mod_revision set to the deletion's revision.</summary>
    private static WatchEvent TombstoneEvent(ReadOnlySpan<byte> record, long revision)
    {
        var key = ByteString.CopyFrom(KeyValueSummary.Parse(record).Key);
        var e = new Event { Type = Event.Types.EventType.Delete, Kv = new KeyValue { Key = key, ModRevision = revision } };
        return new WatchEvent(e, previousLookedUp: false);
    }

    /// <summary>
    /// Looks up prev_kv, as etcd's stream does (the key at the revision before the event), for
    /// the events a member wanting it will get; one that compaction removed is left out, as etcd
    /// leaves it out. An event looked up once keeps its prev_kv for later rounds reusing the read.
    /// </summary>
    private void LookUpPreviousValues(CatchUpRound round, IReadOnlyList<RevisionEvents> history)
    {
        bool anyWants = false;
        foreach (var (w, _) in round.Members)
        {
            anyWants |= w.PreviousKeyValues;
        }
        if (!anyWants)
        {
            return;
        }
        var matches = new List<Watcher>();
        for (int r = 0; r < history.Count; r++)
        {
            var events = history[r].Events;
            for (int i = 0; i < events.Length; i++)
            {
                var e = events[i];
                if (e.IsCreate || e.PreviousLookedUp || e.Revision < round.From || !WantedWithPrevious(round, e, matches))
                {
                    continue;
                }
                var withPrevious = e.Value.Clone();
                withPrevious.PrevKv = PreviousValue(e.Value.Kv.Key, e.Revision);
                events[i] = new WatchEvent(withPrevious, previousLookedUp: true);
            }
        }
    }

    private static bool WantedWithPrevious(CatchUpRound round, WatchEvent e, List<Watcher> matches)
    {
        matches.Clear();
        round.Index.Collect(e.Key, matches);
        foreach (var w in matches)
        {
            if (w.PreviousKeyValues)
            {
                return true;
            }
        }
        return false;
    }

    private KeyValue? PreviousValue(Google.Protobuf.ByteString key, long revision)
    {
        try
        {
            var result = _store.Read().Range(KeyRange.Single(key.Memory), new RangeOptions(Limit: 1, Revision: revision - 1));
            return result.KeyValues.Count > 0 ? result.KeyValues[0] : null;
        }
        catch (EtcdException)
        {
            return null; // compacted meanwhile
        }
    }

    /// <summary>Stops the loop and waits for a round in progress, so nothing reads the backend afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _running.ConfigureAwait(false);
        _stop.Dispose();
    }
}
