namespace Cairn.Server.Configuration.Syntax;

/// <summary>Booleans as Go's <c>strconv.ParseBool</c> reads them (the set etcd's bool flags accept).</summary>
public static class GoBool
{
    public static bool TryParse(string s, out bool value)
    {
        switch (s)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Go's <c>strconv.FormatBool</c>, used where etcd prints a flag value.</summary>
    public static string Format(bool value) => value ? "true" : "false";
}
