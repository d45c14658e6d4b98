using Cairn.Protocol.Mvccpb;
using Cairn.Server.Mvcc;
using Google.Protobuf;

namespace Cairn.Server.Tests.Mvcc;

public class KeyValueSummaryTests
{
    [Fact]
    public void Reads_every_field_but_the_value_from_a_marshalled_keyvalue()
    {
        var kv = new KeyValue
        {
            Key = ByteString.CopyFromUtf8("some/key"),
            Value = ByteString.CopyFrom(new byte[300]),
            CreateRevision = 1L << 40,
            ModRevision = 123_456_789,
            Version = 7,
            Lease = -5,
        };
        var summary = KeyValueSummary.Parse(kv.ToByteArray());
        Assert.Equal("some/key"u8.ToArray(), summary.Key.ToArray());
        Assert.Equal((1L << 40, 123_456_789L, 7L, -5L), (summary.CreateRevision, summary.ModRevision, summary.Version, summary.Lease));
    }

    [Fact]
    public void A_tombstone_record_holds_only_the_key()
    {
        var summary = KeyValueSummary.Parse(new KeyValue { Key = ByteString.CopyFromUtf8("k") }.ToByteArray());
        Assert.Equal("k"u8.ToArray(), summary.Key.ToArray());
        Assert.Equal(0, summary.CreateRevision + summary.Version + summary.Lease);
    }

    [Theory]
    [InlineData("0A05616263")]          // key says 5 bytes, has 3
    [InlineData("10")]                  // varint cut off
    [InlineData("0B")]                  // wire type 3 (groups) is not in a KeyValue
    [InlineData("10FFFFFFFFFFFFFFFFFFFF01")] // varint of 11 bytes
    public void Malformed_records_are_reported_not_misread(string hex)
    {
        Assert.Throws<FormatException>(() => KeyValueSummary.Parse(Convert.FromHexString(hex)));
    }
}
