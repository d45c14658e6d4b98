using Cairn.Protocol.Raftpb;

namespace Cairn.Raft.Tests.Simulation;

/// <summary>
/// A seeded network: messages are copied on send (as serialization would), delayed, reordered,
/// duplicated or dropped, and links can be cut.
/// </summary>
internal sealed class SimulatedNetwork
{
    private readonly Random _rng;
    private readonly List<(long At, Message Message)> _inFlight = new();
    private readonly HashSet<(ulong, ulong)> _cut = new();

    public SimulatedNetwork(Random rng)
    {
        _rng = rng;
    }

    public double DropRate { get; set; }

    public double DuplicateRate { get; set; }

    public int MaxDelay { get; set; }

    public int InFlight => _inFlight.Count;

    public bool IsCut(ulong from, ulong to) => _cut.Contains((from, to));

    /// <summary>Cuts every link between the two groups, both ways.</summary>
    public void Partition(IReadOnlyCollection<ulong> one, IReadOnlyCollection<ulong> other)
    {
        foreach (var a in one)
        {
            foreach (var b in other)
            {
                _cut.Add((a, b));
                _cut.Add((b, a));
            }
        }
    }

    public void Heal() => _cut.Clear();

    /// <summary>Queues a copy of m; false when it was dropped (cut link or bad luck).</summary>
    public bool Send(Message m, long now)
    {
        if (_cut.Contains((m.From, m.To)) || _rng.NextDouble() < DropRate)
        {
            return false;
        }
        _inFlight.Add((now + _rng.Next(MaxDelay + 1), m.Clone()));
        if (_rng.NextDouble() < DuplicateRate)
        {
            _inFlight.Add((now + _rng.Next(MaxDelay + 1), m.Clone()));
        }
        return true;
    }

    /// <summary>The messages due by now, in random order (reordering whatever shares a tick).</summary>
    public List<Message> TakeDue(long now)
    {
        var due = new List<Message>();
        for (var i = _inFlight.Count - 1; i >= 0; i--)
        {
            if (_inFlight[i].At <= now)
            {
                due.Add(_inFlight[i].Message);
                _inFlight.RemoveAt(i);
            }
        }
        for (var i = due.Count - 1; i > 0; i--)
        {
            var j = _rng.Next(i + 1);
            (due[i], due[j]) = (due[j], due[i]);
        }
        return due;
    }
}
