using System.Collections.Concurrent;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>
/// Every watcher of the member and the events that reach them (etcd's watchableStore). Watchers
/// that are up to date are <em>synced</em>: the apply loop hands each revision's events over
/// (<see cref="OnWrite"/>) and they are queued on the watchers' streams there and then. A watcher
/// that starts in the past, or whose stream is full when its events come, is <em>unsynced</em>:
/// the catch-up loop queues its events later, from the recent history in memory or from the
/// backend, in bounded rounds and only when its stream has room, then makes it synced again.
/// Nothing here ever waits for a client: a slow stream costs its own watchers a catch-up, never
/// a write or another stream a delay.
/// </summary>
/// <remarks>
/// One lock guards all watcher state and is held for in-memory work only (never a backend read
/// or a client), so the apply loop waits for it at most briefly. A watcher's responses are queued
/// under it, which is what orders them: whatever a stream sends about a watcher, it sends in the
/// order the lock saw it happen.
/// </remarks>
public sealed class WatchHub : IMvccChangeObserver, IAsyncDisposable
{
    /// <summary>Revisions of the recent history one catch-up planning may look through (a few milliseconds of work at most).</summary>
    private const long RecentVisitsPerRound = 16 * 1024;

    /// <summary>Writes of a run the applying thread holds back before it dispatches them anyway.</summary>
    private const int MaxHeldWrites = 1024;

    /// <summary>The least room a watcher joining a catch-up batch is given (see <see cref="AddToBatch"/>).</summary>
    private const long MinCatchUpShare = 16 * 1024;

    private readonly object _gate = new();

    // Writes the applying thread handed over and nobody has dispatched yet: it queues them here
    // and dispatches only when the lock is free, so it never waits for a catch-up round.
    private readonly ConcurrentQueue<(RevisionEvents History, bool PreviousLookedUp)> _pending = new();

    // The applying thread's own: whether it is in a run of writes whose events it holds until
    // the run ends (one wake-up and flush per stream for the run, not one per write), and how
    // many it holds (at most MaxHeldWrites, so a long run, such as a replay, is not held whole).
    private bool _holding;
    private int _held;
    private readonly MvccStore _store;
    private readonly WatchResponseHeaders _headers;
    private readonly WatcherKeyIndex _synced = new();
    // Streams with unsynced watchers, in the order catch-up visits them: a round skips a stream
    // without room at the cost of one look, not one per watcher.
    private readonly LinkedList<WatchStream> _catchingUp = new();
    private int _unsyncedCount;
    private readonly RecentHistory _recent;
    private readonly HashSet<WatchStream> _streams = [];
    private readonly List<Watcher> _matches = [];
    private readonly List<Watcher> _touched = [];
    private readonly List<QueuedResponse> _frames = [];
    private readonly List<Watcher> _handled = [];
    private readonly List<WatchStream> _visited = [];
    private readonly List<Watcher> _joining = [];
    private readonly CatchUpBatch _batch = new();
    private readonly CatchUpLoop _catchUp;
    private readonly Timer _stallCheck;
    private long _dispatched;
    private int _previousKeyValueWatchers;
    private bool _previousAsked;
    private bool _disposed;

    /// <param name="store">The store whose changes are watched; set its <see cref="MvccStore.Observer"/> to the hub.</param>
    /// <param name="backend">The store's backend, read for history the hub no longer holds.</param>
    /// <param name="headers">What goes in each response's header.</param>
    /// <param name="options">Pacing and bounds.</param>
    public WatchHub(MvccStore store, IRevisionBackend backend, WatchResponseHeaders headers, WatchOptions? options = null)
    {
        _store = store;
        _headers = headers;
        Options = options ?? new WatchOptions();
        _recent = new RecentHistory(Options.RecentHistoryRevisions, Options.RecentHistoryBytes);
        _dispatched = store.CurrentRevision;
        Counters = new WatchCounters(() => WatcherCounts);
        _catchUp = new CatchUpLoop(this, store, backend);
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(10).Ticks, Options.StalledStreamTimeout.Ticks / 4));
        _stallCheck = new Timer(_ => CutStalledStreams(), null, every, every);
    }

    public WatchOptions Options { get; }

    /// <summary>What the hub has done so far (also published as the <c>Cairn.Watch</c> meter).</summary>
    public WatchCounters Counters { get; }

    /// <summary>The last revision whose events were handed to watchers (the store's revision, or one ahead of it while it publishes).</summary>
    public long Revision
    {
        get
        {
            using (Enter())
            {
                return _dispatched;
            }
        }
    }

    /// <summary>Watchers up to date / catching up, for metrics and tests.</summary>
    public (int Synced, int Unsynced) WatcherCounts
    {
        get
        {
            using (Enter())
            {
                return (_synced.Count, _unsyncedCount);
            }
        }
    }

    /// <summary>Opens a stream; <paramref name="cut"/> resets the client's stream when it stops reading for too long.</summary>
    public WatchStream OpenStream(Action? cut = null)
    {
        var stream = new WatchStream(this, Options.StreamBufferBytes, cut);
        using (Enter())
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _streams.Add(stream);
        }
        return stream;
    }

    // ---- The store's side -------------------------------------------------------------------

    /// <summary>
    /// True while some watcher wants prev_kv, so the store looks it up once for all of them. Only
    /// the store may read it, right before <see cref="OnWrite"/>: the answer tells OnWrite whether
    /// the events carry prev_kv.
    /// </summary>
    public bool WantsPreviousKeyValues
    {
        get
        {
            // Read by the store on the applying thread right before OnWrite: remember what it was
            // told, so OnWrite knows whether the events carry prev_kv.
            bool wants = Volatile.Read(ref _previousKeyValueWatchers) > 0;
            _previousAsked = wants;
            return wants;
        }
    }

    public void OnWrite(long revision, IReadOnlyList<Event> events)
    {
        bool previousLookedUp = _previousAsked;
        _previousAsked = false;
        var watchEvents = new WatchEvent[events.Count];
        for (int i = 0; i < watchEvents.Length; i++)
        {
            watchEvents[i] = new WatchEvent(events[i], previousLookedUp);
        }
        _pending.Enqueue((new RevisionEvents(revision, watchEvents), previousLookedUp));
        if (++_held >= MaxHeldWrites || !_holding)
        {
            _held = 0;
            DispatchPendingWhileFree();
        }
    }

    public void BeginBatch() => _holding = true;

    public void EndBatch()
    {
        _holding = false;
        _held = 0;
        DispatchPendingWhileFree();
    }

    /// <summary>
    /// Dispatches the writes handed over so far, unless another thread holds the lock: that
    /// thread dispatches them when it lets go (<see cref="GateScope.Dispose"/>). Whoever queues a
    /// write and then finds the lock taken can leave, because the holder let go after the write
    /// was queued and so finds it.
    /// </summary>
    private void DispatchPendingWhileFree()
    {
        while (!_pending.IsEmpty && Monitor.TryEnter(_gate))
        {
            try
            {
                DispatchPending();
            }
            finally
            {
                Monitor.Exit(_gate);
            }
        }
    }

    /// <summary>Under the lock: hands every pending write to the recent history and the synced watchers, in revision order.</summary>
    private void DispatchPending()
    {
        while (_pending.TryDequeue(out var write))
        {
            var (history, previousLookedUp) = write;
            _dispatched = history.Revision;
            _recent.Add(history);
            if (_synced.Count > 0)
            {
                Dispatch(history, previousLookedUp);
            }
        }
    }

    /// <summary>
    /// Takes the lock, first dispatching the writes pending, so that whatever is done under it
    /// sees every write applied before it was taken (a watcher created now starts after them).
    /// </summary>
    private GateScope Enter()
    {
        Monitor.Enter(_gate);
        DispatchPending();
        return new GateScope(this);
    }

    /// <summary>Holds the hub's lock until disposed, then dispatches the writes that came meanwhile.</summary>
    private readonly ref struct GateScope(WatchHub hub)
    {
        public void Dispose()
        {
            Monitor.Exit(hub._gate);
            if (!Monitor.IsEntered(hub._gate))
            {
                // Not an inner scope of an outer one still running: that one dispatches when it ends.
                hub.DispatchPendingWhileFree();
            }
        }
    }

    private void Dispatch(RevisionEvents history, bool previousLookedUp)
    {
        long revision = history.Revision;
        _touched.Clear();
        foreach (var e in history.Events)
        {
            _matches.Clear();
            _synced.Collect(e.Key, _matches);
            foreach (var w in _matches)
            {
                if (revision < w.NextRevision)
                {
                    continue; // created with a start revision still in the future
                }
                if (w.MatchedRevision != revision)
                {
                    w.MatchedRevision = revision;
                    w.Matched.Clear();
                    _touched.Add(w);
                }
                w.Matched.Add(e);
            }
        }
        if (_touched.Count == 0)
        {
            return;
        }
        var header = _headers.Encode(revision);
        foreach (var w in _touched)
        {
            bool queued = (!w.PreviousKeyValues || previousLookedUp || !NeedsPrevious(w.Matched))
                && TryQueue(w, w.Matched, header);
            if (queued)
            {
                Counters.Dispatched(w.Matched.Count);
            }
            else
            {
                // Its stream is full (or prev_kv was not looked up for this write): it will get
                // this revision from the catch-up loop instead.
                Counters.WatcherFellBehind();
                MoveToUnsynced(w, revision);
            }
            w.Matched.Clear();
        }
        _touched.Clear();
        _matches.Clear();
    }

    private static bool NeedsPrevious(List<WatchEvent> events)
    {
        foreach (var e in events)
        {
            if (!e.IsCreate)
            {
                return true;
            }
        }
        return false;
    }

    // ---- Requests of a stream ---------------------------------------------------------------

    internal void Create(WatchStream stream, WatchCreateRequest request)
    {
        var key = request.Key.IsEmpty ? new byte[] { 0 } : request.Key.ToByteArray();
        KeyRange range;
        string? refusal = null;
        if (request.RangeEnd.IsEmpty)
        {
            range = KeyRange.Single(key);
        }
        else if (request.RangeEnd.Length == 1 && request.RangeEnd[0] == 0)
        {
            range = KeyRange.From(key);
        }
        else
        {
            var end = request.RangeEnd.ToByteArray();
            range = key.AsSpan().SequenceCompareTo(end) < 0 ? KeyRange.Between(key, end) : default;
            refusal = key.AsSpan().SequenceCompareTo(end) < 0 ? null : WatchErrors.EmptyRange;
        }
        var filters = WatchFilters.None;
        foreach (var filter in request.Filters)
        {
            filters |= filter switch
            {
                WatchCreateRequest.Types.FilterType.Noput => WatchFilters.NoPut,
                WatchCreateRequest.Types.FilterType.Nodelete => WatchFilters.NoDelete,
                _ => WatchFilters.None,
            };
        }

        using (Enter())
        {
            if (stream.Closed)
            {
                return;
            }
            long current = _dispatched;
            var header = _headers.Encode(current);
            long id = request.WatchId;
            if (refusal is null && id != 0 && stream.Watchers.ContainsKey(id))
            {
                refusal = WatchErrors.DuplicateId;
            }
            if (refusal is not null)
            {
                stream.Queue.Enqueue(new WatchResponseFrame(header) { WatchId = -1, Created = true, Canceled = true, CancelReason = refusal });
                return;
            }
            if (id == 0)
            {
                while (stream.Watchers.ContainsKey(stream.NextWatchId))
                {
                    stream.NextWatchId++;
                }
                id = stream.NextWatchId++;
            }
            var watcher = new Watcher(stream, id, range, filters, request.PrevKv, request.ProgressNotify, request.Fragment);
            stream.Watchers.Add(id, watcher);
            stream.Queue.Enqueue(new WatchResponseFrame(header) { WatchId = id, Created = true });
            if (watcher.PreviousKeyValues)
            {
                Interlocked.Increment(ref _previousKeyValueWatchers);
            }
            long start = request.StartRevision;
            if (start == 0 || start > current)
            {
                // Up to date from the start; a future start revision simply skips what comes before it.
                watcher.NextRevision = Math.Max(current + 1, start);
                watcher.State = WatcherState.Synced;
                _synced.Add(watcher);
            }
            else
            {
                AddUnsynced(watcher, start);
            }
            if (watcher.ProgressNotify)
            {
                stream.EnsureProgressTimer(Options.ProgressNotifyInterval);
            }
        }
    }

    internal void Cancel(WatchStream stream, long id)
    {
        using (Enter())
        {
            if (stream.Closed || !stream.Watchers.TryGetValue(id, out var watcher))
            {
                return; // etcd answers nothing for an unknown ID
            }
            stream.Watchers.Remove(id);
            Remove(watcher);
            stream.Queue.Enqueue(new WatchResponseFrame(_headers.Encode(_dispatched)) { WatchId = id, Canceled = true });
            SendRequestedProgress(stream);
        }
    }

    /// <summary>
    /// A progress request: the stream hears the current revision with watch ID -1 once every
    /// watcher on it has been given every event up to that revision; until then the answer
    /// waits (an answer while a watcher catches up would vouch for events it has not had).
    /// </summary>
    internal void RequestProgress(WatchStream stream)
    {
        using (Enter())
        {
            if (stream.Closed)
            {
                return;
            }
            stream.ProgressRequested = true;
            SendRequestedProgress(stream);
        }
    }

    private void SendRequestedProgress(WatchStream stream)
    {
        if (stream.ProgressRequested && stream.Unsynced.Count == 0)
        {
            stream.ProgressRequested = false;
            stream.Queue.Enqueue(new WatchResponseFrame(_headers.Encode(_dispatched)) { WatchId = -1 });
        }
    }

    /// <summary>
    /// A periodic tick of a stream: each watcher created with progress_notify that got no event
    /// since the last tick and is up to date hears the current revision (etcd's progress loop).
    /// A full stream skips it: its watchers are busy anyway.
    /// </summary>
    internal void ProgressTick(WatchStream stream)
    {
        using (Enter())
        {
            if (stream.Closed)
            {
                return;
            }
            ByteString? header = null;
            foreach (var w in stream.Watchers.Values)
            {
                if (!w.ProgressNotify)
                {
                    continue;
                }
                if (!w.EventsSinceProgressTick && w.State == WatcherState.Synced && stream.Queue.HasRoom)
                {
                    header ??= _headers.Encode(_dispatched);
                    stream.Queue.Enqueue(new WatchResponseFrame(header) { WatchId = w.Id });
                }
                w.EventsSinceProgressTick = false;
            }
        }
    }

    internal void Close(WatchStream stream)
    {
        using (Enter())
        {
            if (stream.Closed)
            {
                return;
            }
            stream.Closed = true;
            foreach (var w in stream.Watchers.Values)
            {
                Remove(w);
            }
            stream.Watchers.Clear();
            _streams.Remove(stream);
        }
    }

    internal int CountWatchers(WatchStream stream)
    {
        using (Enter())
        {
            return stream.Watchers.Count;
        }
    }

    /// <summary>A stream's queue went down to half: its unsynced watchers may catch up again.</summary>
    internal void OnStreamRoom(WatchStream stream)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }
        bool waiting;
        using (Enter())
        {
            waiting = stream.Unsynced.Count > 0;
        }
        if (waiting)
        {
            _catchUp.Signal();
        }
    }

    // ---- Watcher state (under the lock) -----------------------------------------------------

    private void AddUnsynced(Watcher watcher, long next)
    {
        watcher.NextRevision = next;
        watcher.State = WatcherState.Unsynced;
        var stream = watcher.Stream;
        watcher.CatchUpNode = stream.Unsynced.AddLast(watcher);
        if (stream.Unsynced.Count == 1)
        {
            _catchingUp.AddLast(stream.CatchUpNode);
        }
        _unsyncedCount++;
        _catchUp.Signal();
    }

    private void MoveToUnsynced(Watcher watcher, long next)
    {
        _synced.Remove(watcher);
        AddUnsynced(watcher, next);
    }

    private void MakeSynced(Watcher watcher)
    {
        RemoveUnsynced(watcher);
        watcher.State = WatcherState.Synced;
        _synced.Add(watcher);
        SendRequestedProgress(watcher.Stream);
    }

    private void RemoveUnsynced(Watcher watcher)
    {
        var stream = watcher.Stream;
        stream.Unsynced.Remove(watcher.CatchUpNode!);
        watcher.CatchUpNode = null;
        if (stream.Unsynced.Count == 0)
        {
            _catchingUp.Remove(stream.CatchUpNode);
        }
        _unsyncedCount--;
    }

    /// <summary>Takes the watcher out of whichever group holds it; it gets nothing more.</summary>
    private void Remove(Watcher watcher)
    {
        switch (watcher.State)
        {
            case WatcherState.Synced:
                _synced.Remove(watcher);
                break;
            case WatcherState.Unsynced:
                RemoveUnsynced(watcher);
                break;
            default:
                return;
        }
        watcher.State = WatcherState.Removed;
        if (watcher.PreviousKeyValues)
        {
            Interlocked.Decrement(ref _previousKeyValueWatchers);
        }
    }

    /// <summary>Queues the events for the watcher if its stream has room; all of them or none.</summary>
    private bool TryQueue(Watcher watcher, IReadOnlyList<WatchEvent> events, ByteString header)
    {
        _frames.Clear();
        WatchFrames.Build(watcher, events, header, Options.FragmentBytes, _frames);
        if (_frames.Count == 0)
        {
            return true;
        }
        if (!watcher.Stream.Queue.HasRoom)
        {
            _frames.Clear();
            return false;
        }
        foreach (var response in _frames)
        {
            watcher.Stream.Queue.Enqueue(response);
        }
        _frames.Clear();
        watcher.EventsSinceProgressTick = true;
        return true;
    }

    // ---- Catch-up (called by the catch-up loop) ---------------------------------------------

    /// <summary>
    /// Under the lock: gives compacted responses to watchers that need history compaction
    /// removed, serves those the recent history covers (in one pass over it for all of them),
    /// and picks the next group to read from the backend, whose streams have room: those whose
    /// revision <paramref name="lastRead"/> (the last backend read) holds, or else all of them
    /// from the oldest one's revision. At most
    /// <see cref="WatchOptions.MaxWatchersPerRound"/> watchers are handled per call, and the pass
    /// over the history is bounded, so the lock is never held for long. Every watcher handled
    /// that is still behind goes to the back of the queue, so a steady write load cannot keep
    /// the ones at the front busy while the rest wait. <paramref name="progressed"/> tells
    /// whether anything was done without the backend (the caller then plans again at once).
    /// </summary>
    internal CatchUpRound? PlanRound(RevisionSpan lastRead, out bool progressed)
    {
        progressed = false;
        using (Enter())
        {
            if (_unsyncedCount == 0 || _disposed)
            {
                return null;
            }
            Counters.RoundPlanned();
            long compacted = _store.CompactedRevision;
            var fromBackend = new List<Watcher>();
            _handled.Clear();
            _visited.Clear();
            // Each stream once, from the front; a stream whose watchers were handled goes to the
            // back, as does each of its watchers still behind afterwards, so a steady write load
            // cannot keep the ones at the front busy while the rest wait.
            for (var streamNode = _catchingUp.First; streamNode is not null && _handled.Count < Options.MaxWatchersPerRound;)
            {
                var stream = streamNode.Value;
                streamNode = streamNode.Next;
                if (!stream.Queue.HasRoomForCatchUp)
                {
                    continue;
                }
                _visited.Add(stream);
                for (var node = stream.Unsynced.First; node is not null && _handled.Count < Options.MaxWatchersPerRound; node = node.Next)
                {
                    var w = node.Value;
                    _handled.Add(w);
                    if (w.NextRevision < compacted)
                    {
                        continue; // answered below: that removes it from the list walked here
                    }
                    if (w.NextRevision > _dispatched)
                    {
                        continue; // synced below
                    }
                    if (_recent.Covers(w.NextRevision))
                    {
                        _joining.Add(w);
                    }
                    else
                    {
                        fromBackend.Add(w);
                    }
                }
            }
            foreach (var w in _handled)
            {
                if (w.NextRevision < compacted)
                {
                    SendCompacted(w, compacted);
                    progressed = true;
                }
                else if (w.NextRevision > _dispatched)
                {
                    MakeSynced(w);
                    progressed = true;
                }
            }
            AddToBatch(_joining);
            progressed |= ServeBatchFromRecent(fromBackend);
            foreach (var w in _handled)
            {
                if (w.State == WatcherState.Unsynced)
                {
                    w.Stream.Unsynced.Remove(w.CatchUpNode!);
                    w.Stream.Unsynced.AddLast(w.CatchUpNode!);
                }
            }
            foreach (var stream in _visited)
            {
                if (stream.Unsynced.Count > 0)
                {
                    _catchingUp.Remove(stream.CatchUpNode);
                    _catchingUp.AddLast(stream.CatchUpNode);
                }
            }
            _visited.Clear();
            _handled.Clear();
            if (fromBackend.Count == 0)
            {
                return null;
            }
            // The watchers the last backend read still serves go first (no read at all); otherwise
            // the read starts at the oldest, so that the rounds after it, serving the others of a
            // crowd that fell behind together, find their revisions in it too.
            bool anyInLastRead = false;
            foreach (var w in fromBackend)
            {
                anyInLastRead |= lastRead.Contains(w.NextRevision);
            }
            long from = long.MaxValue;
            var members = new List<(Watcher, long)>();
            var index = new WatcherKeyIndex(trackSlots: false);
            foreach (var w in fromBackend)
            {
                if (!anyInLastRead || lastRead.Contains(w.NextRevision))
                {
                    from = Math.Min(from, w.NextRevision);
                    members.Add((w, w.NextRevision));
                    index.Add(w);
                }
            }
            return new CatchUpRound(from, _dispatched, compacted, members, index);
        }
    }

    /// <summary>
    /// Under the lock: queues what a round read for each member still waiting where it was (as
    /// far as its stream's room goes; a member whose stream filled meanwhile gets nothing this
    /// time), syncs those that reached the present, and serves the rest from the recent history.
    /// </summary>
    internal void CompleteRound(CatchUpRound round, long readUpTo, IReadOnlyList<RevisionEvents> history)
    {
        using (Enter())
        {
            foreach (var (w, next) in round.Members)
            {
                if (w.State == WatcherState.Unsynced && w.NextRevision == next && readUpTo >= next && w.Stream.Queue.HasRoom)
                {
                    _joining.Add(w);
                }
            }
            AddToBatch(_joining);
            ServeBatch(history, readUpTo, long.MaxValue, needBackend: null);
            foreach (var (w, next) in round.Members)
            {
                if (w.State == WatcherState.Unsynced && w.NextRevision > next && _recent.Covers(w.NextRevision) && w.Stream.Queue.HasRoom)
                {
                    _joining.Add(w);
                }
            }
            AddToBatch(_joining);
            ServeBatchFromRecent(null);
        }
    }

    /// <summary>
    /// Puts <paramref name="watchers"/> in the batch (and empties the list), sharing each
    /// stream's room between its watchers in it: the batch gathers for all of them before any is
    /// queued, and given the whole room each, the first few took it and the work gathered for
    /// the rest was thrown away. A share is never cut below <see cref="MinCatchUpShare"/> (a
    /// revision or two per response made catch-up dearer per event than falling behind): then
    /// fewer of the stream's watchers join, and the others wait for a later round.
    /// </summary>
    private void AddToBatch(List<Watcher> watchers)
    {
        foreach (var w in watchers)
        {
            w.Stream.CatchUpShare++;
        }
        foreach (var w in watchers)
        {
            var stream = w.Stream;
            long room = stream.Queue.Room;
            long share = Math.Max(room / stream.CatchUpShare, Math.Min(room, MinCatchUpShare));
            if (stream.CatchUpJoined > 0 && (stream.CatchUpJoined + 1) * share > room)
            {
                continue;
            }
            stream.CatchUpJoined++;
            _batch.Add(w, Math.Min(Options.CatchUpReadBytes, share));
        }
        foreach (var w in watchers)
        {
            w.Stream.CatchUpShare = 0;
            w.Stream.CatchUpJoined = 0;
        }
        watchers.Clear();
    }

    private bool ServeBatchFromRecent(List<Watcher>? needBackend) =>
        _batch.Count > 0 && ServeBatch(_recent.From(_batch.LowestNextRevision), _dispatched, RecentVisitsPerRound, needBackend);

    /// <summary>
    /// Under the lock: queues each watcher of the batch its events from <paramref name="history"/>
    /// (every revision with events up to <paramref name="coveredUpTo"/>), as far as its stream's
    /// room goes, and syncs those that reached the present. A watcher whose stream filled
    /// meanwhile stays where it was; one that needs the backend after all (a prev_kv the history
    /// lacks) goes to <paramref name="needBackend"/> (or waits for a later round when there is
    /// none). True when some watcher moved on.
    /// </summary>
    private bool ServeBatch(IEnumerable<RevisionEvents> history, long coveredUpTo, long maxRevisions, List<Watcher>? needBackend)
    {
        if (_batch.Count == 0)
        {
            return false;
        }
        bool progressed = false;
        _batch.Collect(history, coveredUpTo, maxRevisions);
        long headerRevision = -1;
        ByteString? header = null;
        foreach (var w in _batch.Members)
        {
            var c = w.CatchUp;
            if (c.NeedsBackend)
            {
                needBackend?.Add(w);
                continue;
            }
            long servedUpTo = Math.Min(c.ServedUpTo, _dispatched);
            if (c.Events.Count > 0)
            {
                if (servedUpTo != headerRevision)
                {
                    headerRevision = servedUpTo;
                    header = _headers.Encode(servedUpTo);
                }
                if (!TryQueue(w, c.Events, header!))
                {
                    continue; // full: it stays unsynced until the stream drains
                }
                Counters.CaughtUp(c.Events.Count);
            }
            if (servedUpTo < w.NextRevision)
            {
                continue;
            }
            progressed = true;
            w.NextRevision = servedUpTo + 1;
            if (w.NextRevision > _dispatched)
            {
                MakeSynced(w);
            }
        }
        _batch.Clear();
        return progressed;
    }

    private void SendCompacted(Watcher w, long compacted)
    {
        // etcd's compacted response carries no header revision.
        w.Stream.Queue.Enqueue(new WatchResponseFrame(_headers.Encode(0)) { WatchId = w.Id, CompactRevision = compacted, Canceled = true });
        w.Stream.Watchers.Remove(w.Id);
        var stream = w.Stream;
        Remove(w);
        SendRequestedProgress(stream);
    }

    // ---- Streams whose client stopped reading -----------------------------------------------

    private void CutStalledStreams()
    {
        List<WatchStream>? stalled = null;
        using (Enter())
        {
            foreach (var stream in _streams)
            {
                if (stream.WriteWaiting > Options.StalledStreamTimeout)
                {
                    (stalled ??= []).Add(stream);
                }
            }
        }
        if (stalled is null)
        {
            return;
        }
        foreach (var stream in stalled)
        {
            stream.Cut();
        }
    }

    /// <summary>Closes every stream and stops the catch-up loop; the backend is not read once this completes.</summary>
    public async ValueTask DisposeAsync()
    {
        List<WatchStream> streams;
        using (Enter())
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            streams = [.. _streams];
        }
        foreach (var stream in streams)
        {
            stream.Dispose();
        }
        await _stallCheck.DisposeAsync().ConfigureAwait(false);
        await _catchUp.DisposeAsync().ConfigureAwait(false);
        Counters.Dispose();
    }
}
