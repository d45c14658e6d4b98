using Cairn.Server.Lease;
using Xunit.Abstractions;

namespace Cairn.Server.Tests.Lease;

public sealed class LeaseExpiryQueueTests(ITestOutputHelper output)
{
    [Fact]
    public void The_earliest_entry_comes_first_and_an_update_moves_it()
    {
        var queue = new LeaseExpiryQueue();
        queue.RegisterOrUpdate(1, TimeSpan.FromSeconds(10));
        queue.RegisterOrUpdate(2, TimeSpan.FromSeconds(5));
        queue.RegisterOrUpdate(3, TimeSpan.FromSeconds(7));
        Assert.True(queue.TryPeek(out long id, out var due));
        Assert.Equal((2L, TimeSpan.FromSeconds(5)), (id, due));

        queue.RegisterOrUpdate(2, TimeSpan.FromSeconds(20));
        Assert.Equal(3, queue.Count);
        queue.TryPeek(out id, out _);
        Assert.Equal(3, id);
        queue.RegisterOrUpdate(1, TimeSpan.FromSeconds(1));
        queue.TryPeek(out id, out _);
        Assert.Equal(1, id);
    }

    [Fact]
    public void Random_registrations_updates_and_removals_drain_in_due_order()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var queue = new LeaseExpiryQueue();
        var reference = new Dictionary<long, TimeSpan>();
        for (int step = 0; step < 5000; step++)
        {
            long id = random.Next(300);
            if (random.Next(5) == 0 && queue.TryPeek(out long first, out var firstDue))
            {
                Assert.Equal(reference.Values.Min(), firstDue);
                Assert.Equal(firstDue, reference[first]);
                queue.RemoveFirst();
                reference.Remove(first);
                continue;
            }
            var due = TimeSpan.FromMilliseconds(random.Next(100_000));
            queue.RegisterOrUpdate(id, due);
            reference[id] = due;
            Assert.Equal(reference.Count, queue.Count);
        }
        var drained = new List<TimeSpan>();
        while (queue.TryPeek(out long id, out var due))
        {
            Assert.Equal(reference[id], due);
            drained.Add(due);
            queue.RemoveFirst();
        }
        Assert.Equal(reference.Values.Order(), drained);
    }
}
