using System.Text;

namespace Cairn.Storage.Snap.V2Store;

/// <summary>Go's <c>path</c> package functions the v2 store's semantics depend on.</summary>
internal static class GoPath
{
    /// <summary><c>path.Clean(path.Join("/", p))</c>: the canonical absolute form of a store key.</summary>
    public static string Absolute(string p) => Clean("/" + p);

    public static string Join(string parent, string name) => Clean(parent + "/" + name);

    /// <summary>Splits after the last slash: ("/a/b/", "c") for "/a/b/c".</summary>
    public static (string Dir, string File) Split(string p)
    {
        int i = p.LastIndexOf('/');
        return (p[..(i + 1)], p[(i + 1)..]);
    }

    /// <summary>Go's <c>path.Clean</c>: one slash between names, no "." and no resolvable "..".</summary>
    public static string Clean(string p)
    {
        if (p.Length == 0)
        {
            return ".";
        }
        bool rooted = p[0] == '/';
        var parts = new List<string>();
        foreach (string part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add(part);
                }
                continue;
            }
            parts.Add(part);
        }
        var text = new StringBuilder();
        if (rooted)
        {
            text.Append('/');
        }
        text.AppendJoin('/', parts);
        return text.Length == 0 ? "." : text.ToString();
    }
}
