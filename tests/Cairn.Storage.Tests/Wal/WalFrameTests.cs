using Cairn.Storage.Wal;

namespace Cairn.Storage.Tests.Wal;

public sealed class WalFrameTests
{
    [Theory]
    [InlineData(0, 0UL, 0)]
    [InlineData(8, 8UL, 0)]
    [InlineData(1, 0x8700000000000001UL, 7)]
    [InlineData(13, 0x830000000000000DUL, 3)]
    [InlineData(15, 0x810000000000000FUL, 1)]
    public void Length_word_carries_padding_in_its_top_byte(int recordBytes, ulong lengthField, int pad)
    {
        Assert.Equal((lengthField, pad), WalFrame.Encode(recordBytes));
        Assert.Equal(((long)recordBytes, (long)pad), WalFrame.Decode((long)lengthField));
    }

    [Fact]
    public void Every_size_round_trips_and_frames_end_on_an_eight_byte_boundary()
    {
        for (int size = 0; size < 5000; size++)
        {
            var (field, pad) = WalFrame.Encode(size);
            Assert.Equal(0, (size + pad) % 8);
            Assert.Equal(((long)size, (long)pad), WalFrame.Decode((long)field));
        }
    }
}
