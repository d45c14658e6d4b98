namespace Cairn.Server.Configuration.Flags;

/// <summary>The outcome of giving a flag a value: its new state, or the detail Go's flag package would print.</summary>
public readonly record struct FlagSetResult(object? Value, string? Error)
{
    public static FlagSetResult Ok(object? value) => new(value, null);

    public static FlagSetResult Fail(string error) => new(null, error);
}

/// <summary>
/// How one kind of etcd flag takes a value, mirroring the Go <c>flag.Value</c> that etcd registers for it
/// (strings, bools, Go integers and durations, URL lists, string sets, choices).
/// </summary>
public abstract class FlagValueType
{
    /// <summary>Go's IsBoolFlag: the flag may appear bare ("--flag" means true) and never takes the next argument.</summary>
    public virtual bool IsBoolean => false;

    /// <summary>Go's <c>flag.Value.Set</c>: the new state from the current one and a raw value.</summary>
    public abstract FlagSetResult Set(object? current, string raw);

    /// <summary>The state etcd starts from for a default written as text ("" is an empty list for list flags).</summary>
    public virtual object? DefaultFrom(string text)
    {
        var result = Set(null, text);
        return result.Error is null
            ? result.Value
            : throw new InvalidOperationException($"default {text} does not parse: {result.Error}");
    }
}
