using System.Text;

namespace Cairn.Tests.Oracle;

/// <summary>A line diff (longest common subsequence) printed unified-style with a few lines of context.</summary>
public static class TextDiff
{
    public static string Unified(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string expectedName, string actualName, int context = 3)
    {
        // lengths[i, j]: longest common subsequence of expected[i..] and actual[j..].
        var lengths = new int[expected.Count + 1, actual.Count + 1];
        for (var i = expected.Count - 1; i >= 0; i--)
        {
            for (var j = actual.Count - 1; j >= 0; j--)
            {
                lengths[i, j] = expected[i] == actual[j] ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }

        var edits = new List<(char Kind, string Line)>();
        int e = 0, a = 0;
        while (e < expected.Count || a < actual.Count)
        {
            if (e < expected.Count && a < actual.Count && expected[e] == actual[a])
            {
                edits.Add((' ', expected[e++]));
                a++;
            }
            else if (a < actual.Count && (e == expected.Count || lengths[e, a + 1] >= lengths[e + 1, a]))
            {
                edits.Add(('+', actual[a++]));
            }
            else
            {
                edits.Add(('-', expected[e++]));
            }
        }

        var text = new StringBuilder($"--- {expectedName}\n+++ {actualName}\n");
        var lastPrinted = -1;
        for (var k = 0; k < edits.Count; k++)
        {
            var nearChange = false;
            for (var d = Math.Max(0, k - context); d <= Math.Min(edits.Count - 1, k + context) && !nearChange; d++)
            {
                nearChange = edits[d].Kind != ' ';
            }

            if (!nearChange)
            {
                continue;
            }

            if (lastPrinted >= 0 && lastPrinted < k - 1)
            {
                text.Append("@@\n");
            }

            text.Append(edits[k].Kind).Append(' ').Append(edits[k].Line).Append('\n');
            lastPrinted = k;
        }

        return text.ToString();
    }
}
