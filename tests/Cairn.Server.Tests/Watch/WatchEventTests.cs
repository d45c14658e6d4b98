using Cairn.Protocol.Mvccpb;
using Cairn.Server.Watch;
using Google.Protobuf;

namespace Cairn.Server.Tests.Watch;

public sealed class WatchEventTests
{
    [Theory]
    [InlineData("k", 300, 300)]      // a creation
    [InlineData("key/b", 12, 4096)] // an update, a value whose length takes two varint bytes
    [InlineData("", 5, 9)]           // no key bytes at all
    public void A_stored_put_is_sent_as_the_event_of_its_record_without_parsing_it(string key, long create, long mod)
    {
        var kv = new KeyValue
        {
            Key = ByteString.CopyFromUtf8(key),
            CreateRevision = create,
            ModRevision = mod,
            Version = 3,
            Value = ByteString.CopyFrom(new byte[(int)(mod % 1000)]),
            Lease = 0x7a,
        };
        var e = WatchEvent.FromStoredPut(kv.ToByteArray());

        var expected = new Event { Kv = kv };
        Assert.Equal(expected.ToByteString(), e.Encoded(withPrevious: false));
        Assert.Equal(expected.ToByteString(), e.Encoded(withPrevious: true)); // there is no prev_kv to add
        Assert.Equal(key, System.Text.Encoding.UTF8.GetString(e.Key));
        Assert.True(e.IsPut);
        Assert.Equal(mod, e.Revision);
        Assert.Equal(create == mod, e.IsCreate);
        Assert.False(e.PreviousLookedUp);
        Assert.Equal(expected, e.Value);
        Assert.Equal(new WatchEvent(expected, previousLookedUp: false).ApproximateSize, e.ApproximateSize);
    }

    [Fact]
    public void A_record_that_is_not_a_key_value_is_refused()
    {
        Assert.Throws<FormatException>(() => WatchEvent.FromStoredPut([0x0a, 0x05, 0x61]));
    }
}
