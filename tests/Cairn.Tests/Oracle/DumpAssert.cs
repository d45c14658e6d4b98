namespace Cairn.Tests.Oracle;

/// <summary>Two store dumps must be equal; a failure shows their diff.</summary>
internal static class DumpAssert
{
    public static void Same(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string expectedName, string actualName)
    {
        if (!expected.SequenceEqual(actual))
        {
            Assert.Fail($"{actualName} does not read what {expectedName} wrote:\n" + TextDiff.Unified(expected, actual, expectedName, actualName, context: 0));
        }
    }
}
