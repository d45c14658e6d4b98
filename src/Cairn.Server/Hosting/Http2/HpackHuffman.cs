namespace Cairn.Server.Hosting.Http2;

/// <summary>
/// Decoding of HPACK's Huffman-coded strings (RFC 7541 section 5.2, code in Appendix B). The
/// code is canonical, so the table below holds only each symbol's code length (symbols 0-255,
/// then EOS) and the codes follow from it.
/// </summary>
internal static class HpackHuffman
{
    private const int EndOfString = 256;

    // Children of trie node n at [2n] (bit 0) and [2n+1] (bit 1): 0 is "no child" (the root is
    // never a child), a positive value the child node, a negative value -(symbol + 1), a leaf.
    private static readonly int[] Trie = BuildTrie();

    private static ReadOnlySpan<byte> CodeLengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,    ];

    /// <summary>Decodes <paramref name="source"/>; false for anything RFC 7541 calls a decoding error.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, List<byte> destination)
    {
        var node = 0;
        var pendingBits = 0;
        var pendingAllOnes = true;
        foreach (var octet in source)
        {
            for (var shift = 7; shift >= 0; shift--)
            {
                var bit = (octet >> shift) & 1;
                var next = Trie[(node * 2) + bit];
                if (next == 0)
                {
                    return false;
                }
                if (next < 0)
                {
                    var symbol = -next - 1;
                    if (symbol == EndOfString)
                    {
                        return false;
                    }
                    destination.Add((byte)symbol);
                    node = 0;
                    pendingBits = 0;
                    pendingAllOnes = true;
                    continue;
                }
                node = next;
                pendingBits++;
                pendingAllOnes &= bit == 1;
            }
        }
        // Padding: fewer than 8 bits, all ones (a prefix of EOS).
        return node == 0 || (pendingBits < 8 && pendingAllOnes);
    }

    private static int[] BuildTrie()
    {
        var lengths = CodeLengths;
        var symbols = Enumerable.Range(0, lengths.Length).OrderBy(s => CodeLengths[s]).ThenBy(s => s).ToArray();
        var trie = new int[2 * 2 * lengths.Length];
        var nodes = 1;
        var code = 0L;
        int previousLength = lengths[symbols[0]];
        for (var k = 0; k < symbols.Length; k++)
        {
            var symbol = symbols[k];
            int length = lengths[symbol];
            if (k > 0)
            {
                code = (code + 1) << (length - previousLength);
            }
            previousLength = length;
            var node = 0;
            for (var i = length - 1; i >= 0; i--)
            {
                var slot = (node * 2) + (int)((code >> i) & 1);
                if (i == 0)
                {
                    trie[slot] = -(symbol + 1);
                }
                else
                {
                    if (trie[slot] == 0)
                    {
                        trie[slot] = nodes++;
                    }
                    node = trie[slot];
                }
            }
        }
        return trie;
    }
}
