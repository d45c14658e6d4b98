using Cairn.Server.Hosting.Http2;

namespace Cairn.Server.Tests.Hosting;

public sealed class HpackAuthorityRewriterTests
{
    [Fact]
    public void Huffman_decodes_the_rfc7541_example()
    {
        // RFC 7541 C.4.1: "www.example.com".
        var encoded = Convert.FromHexString("f1e3c2e5f23a6ba0ab90f4ff");
        var decoded = new List<byte>();

        Assert.True(HpackHuffman.TryDecode(encoded, decoded));
        Assert.Equal("www.example.com", System.Text.Encoding.ASCII.GetString(decoded.ToArray()));
    }

    [Fact]
    public void Huffman_refuses_padding_that_is_not_a_prefix_of_eos()
    {
        // 'a' is 00011 (5 bits); three zero bits of padding are not EOS's ones.
        Assert.False(HpackHuffman.TryDecode([0b0001_1000], new List<byte>()));
        Assert.True(HpackHuffman.TryDecode([0b0001_1111], new List<byte>()));
    }

    [Theory]
    [InlineData("http://127.0.0.1:2379", "127.0.0.1:00000002379")]
    [InlineData("https://[::1]:2379", "[::1]:000000002379")]
    [InlineData("unix://localhost", "localhost:000000")]
    [InlineData("a b/c", "a-b-c")]
    public void Repair_keeps_the_length_and_the_host(string value, string expected)
    {
        var repaired = HpackAuthorityRewriter.Repair(value);

        Assert.Equal(expected, repaired);
        Assert.Equal(value.Length, repaired!.Length);
    }

    [Theory]
    [InlineData("127.0.0.1:2379")]
    [InlineData("localhost")]
    [InlineData("[::1]:2379")]
    [InlineData("")]
    public void Valid_authorities_are_left_alone(string value)
    {
        Assert.Null(HpackAuthorityRewriter.Repair(value));
    }

    [Fact]
    public void Rewrites_a_huffman_coded_literal_authority_and_keeps_other_fields()
    {
        // :method POST (indexed 3), :authority literal with incremental indexing, name index 1,
        // Huffman value "www.example.com" is valid and stays; then a raw literal authority that is not.
        var valid = Convert.FromHexString("83" + "41" + "8c" + "f1e3c2e5f23a6ba0ab90f4ff");
        Assert.Null(HpackAuthorityRewriter.TryRewrite(valid));

        var bad = "http://h:1"u8.ToArray();
        var block = new List<byte> { 0x83, 0x41, (byte)bad.Length };
        block.AddRange(bad);
        block.Add(0x86); // :scheme http (indexed 6), after the field being rewritten

        var rewritten = HpackAuthorityRewriter.TryRewrite(block.ToArray());

        var expected = new List<byte> { 0x83, 0x41, (byte)bad.Length };
        expected.AddRange("h:00000001"u8.ToArray());
        expected.Add(0x86);
        Assert.Equal(expected.ToArray(), rewritten);
    }

    [Fact]
    public void Malformed_blocks_are_left_for_kestrel_to_refuse()
    {
        // A literal whose value length runs past the end of the block.
        Assert.Null(HpackAuthorityRewriter.TryRewrite([0x41, 0x7F]));
        Assert.Null(HpackAuthorityRewriter.TryRewrite([0x41, 0x05, (byte)'a']));
    }
}
