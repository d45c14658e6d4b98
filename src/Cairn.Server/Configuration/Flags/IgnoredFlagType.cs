namespace Cairn.Server.Configuration.Flags;

/// <summary>
/// etcd's <c>IgnoredFlag</c>: a flag from etcd 0.4/2.x that is accepted (bare or with a value) and only warned
/// about, so old unit files keep starting.
/// </summary>
public sealed class IgnoredFlagType : FlagValueType
{
    public static readonly IgnoredFlagType Instance = new();

    private IgnoredFlagType()
    {
    }

    public override bool IsBoolean => true;

    public override FlagSetResult Set(object? current, string raw) => FlagSetResult.Ok(null);

    public override object? DefaultFrom(string text) => null;
}
