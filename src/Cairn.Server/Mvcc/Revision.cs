namespace Cairn.Server.Mvcc;

/// <summary>
/// A point in the key space's history: <see cref="Main"/> is the revision of one write request
/// (every change it makes shares it), <see cref="Sub"/> numbers the changes inside that request
/// from 0. Ordered by main, then sub. Its 17/18-byte on-disk encoding belongs to the storage
/// layer; this is only the value.
/// </summary>
public readonly record struct Revision(long Main, long Sub) : IComparable<Revision>
{
    public int CompareTo(Revision other)
    {
        int c = Main.CompareTo(other.Main);
        return c != 0 ? c : Sub.CompareTo(other.Sub);
    }

    public bool GreaterThan(Revision other) => CompareTo(other) > 0;

    public static bool operator <(Revision a, Revision b) => a.CompareTo(b) < 0;

    public static bool operator >(Revision a, Revision b) => a.CompareTo(b) > 0;

    public static bool operator <=(Revision a, Revision b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Revision a, Revision b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Main}.{Sub}";
}
