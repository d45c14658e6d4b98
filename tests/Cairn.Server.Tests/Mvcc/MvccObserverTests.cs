using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using static Cairn.Server.Tests.Mvcc.StoreHelpers;

namespace Cairn.Server.Tests.Mvcc;

public class MvccObserverTests
{
    private sealed class Recorder(bool withPrevious, MvccStore? store = null) : IMvccChangeObserver
    {
        public List<(long Revision, long StoreRevisionDuringCall, List<Event> Events)> Writes { get; } = [];

        public bool WantsPreviousKeyValues => withPrevious;

        public void OnWrite(long revision, IReadOnlyList<Event> events) =>
            Writes.Add((revision, store?.CurrentRevision ?? 0, events.ToList()));
    }

    private static string Describe(Event e) =>
        $"{e.Type} {StoreHelpers.Describe(e.Kv)}" + (e.PrevKv is null ? "" : $" prev {StoreHelpers.Describe(e.PrevKv)}");

    [Fact]
    public void Each_changing_write_produces_its_events_in_order_before_its_revision_is_published()
    {
        using var store = NewStore();
        var recorder = new Recorder(withPrevious: false, store);
        store.Observer = recorder;

        store.Put("a", "1");
        using (var txn = store.Write())
        {
            txn.Put(B("b"), B("1"), 0);
            txn.DeleteRange(Range("a"));
        }
        store.Delete("nothing");

        Assert.Equal(2, recorder.Writes.Count);
        Assert.Equal((2, 1), (recorder.Writes[0].Revision, recorder.Writes[0].StoreRevisionDuringCall));
        Assert.Equal(["Put a=1@2/2/1"], recorder.Writes[0].Events.Select(Describe));
        Assert.Equal((3, 2), (recorder.Writes[1].Revision, recorder.Writes[1].StoreRevisionDuringCall));
        // A delete event carries the key and the revision of the deletion.
        Assert.Equal(["Put b=1@3/3/1", "Delete a=@0/3/0"], recorder.Writes[1].Events.Select(Describe));
    }

    [Fact]
    public void Events_carry_the_previous_value_when_asked()
    {
        using var store = NewStore();
        var recorder = new Recorder(withPrevious: true);
        store.Observer = recorder;

        store.Put("a", "1");
        store.Put("a", "2");
        store.Delete("a");

        Assert.Equal(
            [
                ["Put a=1@2/2/1"],
                ["Put a=2@2/3/2 prev a=1@2/2/1"],
                ["Delete a=@0/4/0 prev a=2@2/3/2"],
            ],
            recorder.Writes.Select(w => w.Events.Select(Describe).ToArray()));
    }
}
