using Google.Protobuf;

namespace Cairn.Server.Watch;

/// <summary>Builds the responses of a watcher: events after its filters, split into fragments when it asked for them.</summary>
internal static class WatchFrames
{
    /// <summary>
    /// The responses carrying <paramref name="events"/> to <paramref name="watcher"/>: none when
    /// its filters leave nothing, one otherwise, or, for a watcher created with <c>fragment</c>
    /// whose response would reach <paramref name="fragmentBytes"/>, several with
    /// <c>fragment</c> set on all but the last (etcd's sendFragments: a fragment holds at least
    /// one event and stays under the limit when it holds more).
    /// </summary>
    public static void Build(Watcher watcher, IReadOnlyList<WatchEvent> events, ByteString header, int fragmentBytes, List<QueuedResponse> into)
    {
        if (events.Count == 1)
        {
            // The common case: one event, one list shared by every watcher that gets it.
            if (watcher.Accepts(events[0]))
            {
                into.Add(QueuedResponse.OfEvents(header, events[0].Alone(watcher.PreviousKeyValues), watcher.Id));
            }
            return;
        }
        List<ByteString>? encoded = null;
        for (int i = 0; i < events.Count; i++)
        {
            if (watcher.Accepts(events[i]))
            {
                (encoded ??= new List<ByteString>(events.Count)).Add(events[i].Encoded(watcher.PreviousKeyValues));
            }
        }
        if (encoded is null)
        {
            return;
        }
        var whole = QueuedResponse.OfEvents(header, encoded, watcher.Id);
        if (!watcher.Fragment || encoded.Count < 2 || whole.Size < fragmentBytes)
        {
            into.Add(whole);
            return;
        }
        Fragment(watcher.Id, header, encoded, fragmentBytes, into);
    }

    private static void Fragment(long watchId, ByteString header, List<ByteString> encoded, int fragmentBytes, List<QueuedResponse> into)
    {
        int emptySize = new WatchResponseFrame(header) { WatchId = watchId, Fragment = true }.CalculateSize();
        int start = 0;
        while (start < encoded.Count)
        {
            int size = emptySize;
            int end = start;
            while (end < encoded.Count)
            {
                int eventSize = 1 + CodedOutputStream.ComputeBytesSize(encoded[end]);
                if (end > start && size + eventSize >= fragmentBytes)
                {
                    break;
                }
                size += eventSize;
                end++;
            }
            into.Add(QueuedResponse.Of(new WatchResponseFrame(header, encoded.GetRange(start, end - start))
            {
                WatchId = watchId,
                Fragment = end < encoded.Count,
            }));
            start = end;
        }
    }
}
