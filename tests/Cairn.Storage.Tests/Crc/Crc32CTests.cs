using System.Text;
using Cairn.Storage.Crc;
using Xunit.Abstractions;

namespace Cairn.Storage.Tests.Crc;

public sealed class Crc32CTests(ITestOutputHelper output)
{
    [Fact]
    public void Check_value_of_the_Castagnoli_polynomial_is_e3069283()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0xE3069283u, Crc32C.UpdateSoftware(0, Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Empty_input_leaves_the_running_value_unchanged()
    {
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0xDEADBEEFu, Crc32C.Update(0xDEADBEEF, []));
    }

    [Fact]
    public void Chained_updates_equal_one_update_over_the_concatenation()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (int round = 0; round < 200; round++)
        {
            var data = new byte[random.Next(0, 3000)];
            random.NextBytes(data);
            int split = random.Next(0, data.Length + 1);
            uint chained = Crc32C.Update(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(Crc32C.Compute(data), chained);
        }
    }

    [Fact]
    public void Hardware_and_table_paths_agree_on_every_length_and_alignment()
    {
        var data = new byte[4096 + 64];
        new Random(42).NextBytes(data);
        for (int length = 0; length < 300; length++)
        {
            for (int start = 0; start < 8; start++)
            {
                var span = data.AsSpan(start, length);
                Assert.Equal(Crc32C.UpdateSoftware(0x12345678, span), Crc32C.Update(0x12345678, span));
            }
        }
        Assert.Equal(Crc32C.UpdateSoftware(7, data), Crc32C.Update(7, data));
    }
}
