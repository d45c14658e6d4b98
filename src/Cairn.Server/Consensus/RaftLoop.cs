using System.Collections.Concurrent;
using System.Threading.Channels;
using Cairn.Protocol.Raftpb;
using Cairn.Raft;
using Cairn.Raft.Storage;
using Google.Protobuf;

namespace Cairn.Server.Consensus;

/// <summary>
/// Drives the Raft core on one dedicated thread (etcd's raftNode): ticks, proposals, peer
/// messages and ReadIndex requests go in through a queue; every Ready is handled in the order
/// that keeps acknowledged writes safe — a leader's messages go out before its disk write,
/// entries and hard state are made durable with one fdatasync per Ready, and only then are
/// committed entries handed to the apply loop. Proposals queued while the disk write runs are
/// taken together into the next Ready: group commit without a timer.
/// </summary>
public sealed class RaftLoop : IDisposable
{
    private readonly RaftNode _node;
    private readonly MemoryRaftStorage _storage;
    private readonly RaftDisk _disk;
    private readonly IPeerTransport _transport;
    private readonly RaftLoopCallbacks _callbacks;
    private readonly ChannelWriter<CommittedBatch> _committed;
    private readonly TimeSpan _tickInterval;
    private readonly ConcurrentQueue<RaftCommand> _inbox = new();
    private readonly object _wake = new();
    private readonly List<ByteString> _proposalData = [];
    private readonly List<ulong> _proposalIds = [];
    private readonly Thread _thread;
    private bool _signalled;
    private volatile bool _stopping;
    private int _pendingTickAdvance;
    private long _term;
    private long _lead;
    private long _committedIndex;
    private long _lastIndex;
    private int _role;

    public RaftLoop(
        RaftNode node,
        MemoryRaftStorage storage,
        RaftDisk disk,
        IPeerTransport transport,
        TimeSpan tickInterval,
        ChannelWriter<CommittedBatch> committed,
        RaftLoopCallbacks callbacks)
    {
        _node = node;
        _storage = storage;
        _disk = disk;
        _transport = transport;
        _tickInterval = tickInterval;
        _committed = committed;
        _callbacks = callbacks;
        var status = node.Status();
        _term = (long)status.Term;
        _lead = (long)status.Lead;
        _committedIndex = (long)status.Commit;
        _lastIndex = (long)storage.LastIndex();
        _thread = new Thread(Run) { IsBackground = true, Name = "cairn-raft" };
    }

    public ulong Id => _node.Id;

    /// <summary>The current term, as last seen by the loop.</summary>
    public ulong Term => (ulong)Interlocked.Read(ref _term);

    /// <summary>The leader's ID, 0 when none is known.</summary>
    public ulong Lead => (ulong)Interlocked.Read(ref _lead);

    public bool IsLeader => (RaftRole)Volatile.Read(ref _role) == RaftRole.Leader;

    public RaftRole Role => (RaftRole)Volatile.Read(ref _role);

    /// <summary>The commit index made durable so far (etcd's committed index).</summary>
    public ulong CommittedIndex => (ulong)Interlocked.Read(ref _committedIndex);

    /// <summary>The last index in the durable log.</summary>
    public ulong LastIndex => (ulong)Interlocked.Read(ref _lastIndex);

    /// <summary>Set when the loop stopped on an error it cannot recover from (e.g. the WAL could not be written).</summary>
    public Exception? Failure { get; private set; }

    public void Start() => _thread.Start();

    /// <summary>Ticks to add at the next turn, e.g. etcd's fast-forward of election ticks for a single voter.</summary>
    public void AdvanceTicks(int ticks)
    {
        Interlocked.Add(ref _pendingTickAdvance, ticks);
        Signal();
    }

    /// <summary>Proposes data; if raft drops it, <see cref="RaftLoopCallbacks.ProposalDropped"/> is called with <paramref name="id"/>.</summary>
    public void Propose(ulong id, ByteString data) => Enqueue(new RaftCommand.Propose(id, data));

    /// <summary>Proposes a conf change; a drop is reported with the conf change's ID.</summary>
    public void ProposeConfChange(ConfChange change) => Enqueue(new RaftCommand.ProposeConfChange(change));

    /// <summary>Asks for a read index; the answer comes through <see cref="RaftLoopCallbacks.ReadStates"/> or, if refused, <see cref="RaftLoopCallbacks.ReadIndexDropped"/>.</summary>
    public void ReadIndex(ByteString context) => Enqueue(new RaftCommand.ReadIndex(context));

    /// <summary>Delivers a message from a peer.</summary>
    public void Step(Message message) => Enqueue(new RaftCommand.Step(message));

    /// <summary>Applies a committed conf change to raft's configuration (called by the apply loop).</summary>
    public Task<ConfState> ApplyConfChangeAsync(ConfChange change)
    {
        var done = new TaskCompletionSource<ConfState>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new RaftCommand.ApplyConfChange(change, done));
        return done.Task;
    }

    /// <summary>
    /// Takes a raft snapshot at <paramref name="index"/> (applied, with the backend committed) carrying
    /// <paramref name="data"/>, saves it, releases the WAL behind it and compacts the in-memory log,
    /// keeping <paramref name="catchUpEntries"/> for slow followers.
    /// </summary>
    public Task<Snapshot?> CreateSnapshotAsync(ulong index, ConfState confState, ByteString data, ulong catchUpEntries)
    {
        var done = new TaskCompletionSource<Snapshot?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new RaftCommand.CreateSnapshot(index, confState, data, catchUpEntries, done));
        return done.Task;
    }

    /// <summary>Runs <paramref name="read"/> on the loop thread (e.g. to take the core's status).</summary>
    public Task<T> InspectAsync<T>(Func<RaftNode, T> read)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(new RaftCommand.Inspect(
            node =>
            {
                try
                {
                    done.TrySetResult(read(node));
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            },
            e => done.TrySetException(e)));
        return done.Task;
    }

    /// <summary>Stops the loop after the Ready in hand is handled; returns once the thread has ended.</summary>
    public void Stop()
    {
        _stopping = true;
        Signal();
        if (_thread.IsAlive && Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }
    }

    public void Dispose() => Stop();

    private void Enqueue(RaftCommand command)
    {
        _inbox.Enqueue(command);
        Signal();
    }

    private void Signal()
    {
        lock (_wake)
        {
            if (!_signalled)
            {
                _signalled = true;
                Monitor.Pulse(_wake);
            }
        }
    }

    private void Run()
    {
        long nextTick = Environment.TickCount64 + (long)_tickInterval.TotalMilliseconds;
        try
        {
            while (!_stopping)
            {
                WaitForWork(nextTick);
                long now = Environment.TickCount64;
                if (now >= nextTick)
                {
                    _node.Tick();
                    nextTick = now + (long)_tickInterval.TotalMilliseconds;
                }
                for (int advance = Interlocked.Exchange(ref _pendingTickAdvance, 0); advance > 0; advance--)
                {
                    _node.Tick();
                }
                DrainInbox();
                while (_node.HasReady() && !_stopping)
                {
                    HandleReady(_node.Ready());
                }
            }
        }
        catch (Exception e)
        {
            Failure = e;
            _callbacks.Failed(e);
        }
        finally
        {
            _committed.TryComplete(Failure);
            FailQueuedCommands();
        }
    }

    private void WaitForWork(long nextTick)
    {
        lock (_wake)
        {
            while (!_signalled && !_stopping && _inbox.IsEmpty)
            {
                long wait = nextTick - Environment.TickCount64;
                if (wait <= 0)
                {
                    break;
                }
                Monitor.Wait(_wake, TimeSpan.FromMilliseconds(wait));
            }
            _signalled = false;
        }
    }

    private void DrainInbox()
    {
        while (_inbox.TryDequeue(out var command))
        {
            if (command is RaftCommand.Propose p)
            {
                _proposalIds.Add(p.Id);
                _proposalData.Add(p.Data);
                continue;
            }
            FlushProposals();
            Execute(command);
        }
        FlushProposals();
    }

    private void FlushProposals()
    {
        if (_proposalData.Count == 0)
        {
            return;
        }
        var result = _proposalData.Count == 1 ? _node.Propose(_proposalData[0]) : _node.ProposeBatch(_proposalData);
        if (result.IsDropped)
        {
            foreach (var id in _proposalIds)
            {
                _callbacks.ProposalDropped(id, result);
            }
        }
        _proposalData.Clear();
        _proposalIds.Clear();
    }

    private void Execute(RaftCommand command)
    {
        switch (command)
        {
            case RaftCommand.ProposeConfChange c:
                var result = _node.ProposeConfChange(c.Change);
                if (result.IsDropped || result.Status == ProposalStatus.ConfChangeRefused)
                {
                    _callbacks.ProposalDropped(c.Change.Id, result);
                }
                break;
            case RaftCommand.ReadIndex r:
                var read = _node.ReadIndex(r.Context);
                if (read.IsDropped)
                {
                    _callbacks.ReadIndexDropped(r.Context, read);
                }
                break;
            case RaftCommand.Step s:
                _node.Step(s.Message);
                break;
            case RaftCommand.ApplyConfChange a:
                try
                {
                    a.Done.TrySetResult(_node.ApplyConfChange(a.Change));
                }
                catch (Exception e)
                {
                    a.Done.TrySetException(e);
                }
                break;
            case RaftCommand.CreateSnapshot s:
                s.Done.TrySetResult(CreateSnapshot(s));
                break;
            case RaftCommand.Inspect i:
                i.Run(_node);
                break;
        }
    }

    private Snapshot? CreateSnapshot(RaftCommand.CreateSnapshot s)
    {
        if (s.Index <= _storage.Snapshot().Metadata.Index)
        {
            return null;
        }
        var snapshot = _storage.CreateSnapshot(s.Index, s.ConfState, s.Data);
        _disk.SaveSnapshot(snapshot);
        _disk.Release(snapshot);
        ulong compactTo = s.Index > s.CatchUpEntries ? s.Index - s.CatchUpEntries : 1;
        if (compactTo > _storage.FirstIndex() - 1)
        {
            _storage.Compact(compactTo);
        }
        _callbacks.SnapshotSaved(snapshot, compactTo);
        return snapshot;
    }

    private void HandleReady(Ready rd)
    {
        if (rd.SoftState is { } soft)
        {
            Interlocked.Exchange(ref _lead, (long)soft.Lead);
            Volatile.Write(ref _role, (int)soft.Role);
        }
        if (rd.ReadStates.Count > 0)
        {
            _callbacks.ReadStates(rd.ReadStates);
        }
        bool leader = IsLeader;
        if (leader && rd.Messages.Count > 0)
        {
            // A leader may send before its own disk write: followers persist in parallel, and
            // commit still needs a quorum of durable copies, its own counted only once written.
            _transport.Send(rd.Messages);
        }

        bool hasSnapshot = rd.Snapshot is { Metadata.Index: > 0 };
        try
        {
            if (hasSnapshot)
            {
                _disk.SaveSnapshot(rd.Snapshot!);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RaftDiskException.SavingSnapshot(e);
        }
        try
        {
            _disk.Save(rd.HardState, rd.Entries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw RaftDiskException.SavingEntries(e);
        }
        if (hasSnapshot)
        {
            _storage.ApplySnapshot(rd.Snapshot!);
            _disk.Release(rd.Snapshot!);
        }
        if (rd.HardState is { } hs)
        {
            _storage.SetHardState(hs);
            Interlocked.Exchange(ref _term, (long)hs.Term);
            Interlocked.Exchange(ref _committedIndex, (long)hs.Commit);
        }
        if (rd.Entries.Count > 0)
        {
            _storage.Append(rd.Entries);
            Interlocked.Exchange(ref _lastIndex, (long)rd.Entries[^1].Index);
        }
        if (!leader && rd.Messages.Count > 0)
        {
            _transport.Send(rd.Messages);
        }
        if (rd.SoftState is { } changed)
        {
            _callbacks.LeaderChanged(changed, Term);
        }
        if (rd.CommittedEntries.Count > 0 || hasSnapshot)
        {
            // The committed entries are durable now (raft commits only what a quorum, this member
            // included when it counts, has persisted; the WAL write above covers the rest).
            _committed.TryWrite(new CommittedBatch(rd.CommittedEntries.ToArray(), hasSnapshot ? rd.Snapshot : null));
        }
        _node.Advance(rd);
    }

    /// <summary>
    /// Fails what waits on a task; proposal waiters are the server's to fail when it stops.
    /// </summary>
    private void FailQueuedCommands()
    {
        var stopped = new OperationCanceledException("raft loop stopped");
        while (_inbox.TryDequeue(out var command))
        {
            switch (command)
            {
                case RaftCommand.Inspect i:
                    i.Fail(stopped);
                    break;
                case RaftCommand.ApplyConfChange a:
                    a.Done.TrySetException(stopped);
                    break;
                case RaftCommand.CreateSnapshot s:
                    s.Done.TrySetException(stopped);
                    break;
            }
        }
    }
}
