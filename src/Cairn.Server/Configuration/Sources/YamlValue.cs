using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cairn.Server.Configuration.Sources;

/// <summary>What a YAML value turned into, in JSON terms (etcd's config file goes YAML → JSON → Go struct).</summary>
public enum YamlKind
{
    Null,
    Bool,
    Number,
    String,
    Sequence,
    Mapping,
}

/// <summary>
/// A YAML node with its scalars resolved the way go-yaml v2 (YAML 1.1) resolves plain scalars, which decides
/// what etcd accepts: "yes"/"on"/"True" are booleans, "0x10" and "1_000" are integers, "" and "~" are null,
/// quoted text is always a string.
/// </summary>
public sealed partial class YamlValue
{
    private YamlValue(YamlKind kind, Mark start)
    {
        Kind = kind;
        Start = start;
    }

    public YamlKind Kind { get; }

    /// <summary>Where the node starts in the file.</summary>
    public Mark Start { get; }

    public bool BoolValue { get; private init; }

    /// <summary>For <see cref="YamlKind.Number"/>: the integer, when the number is a whole one that fits.</summary>
    public BigInteger? Integer { get; private init; }

    /// <summary>For <see cref="YamlKind.Number"/>: the value as a double.</summary>
    public double Real { get; private init; }

    /// <summary>For strings: the text. For numbers and booleans: the text as written.</summary>
    public string Text { get; private init; } = string.Empty;

    public IReadOnlyList<YamlValue> Items { get; private init; } = [];

    /// <summary>Mapping entries, in file order; later duplicates replace earlier ones, as in go-yaml v2.</summary>
    public IReadOnlyList<KeyValuePair<string, YamlValue>> Entries { get; private init; } = [];

    /// <summary>The JSON type name Go's decoder uses in its messages ("string", "number", "bool", "array", "object").</summary>
    public string JsonTypeName => Kind switch
    {
        YamlKind.Bool => "bool",
        YamlKind.Number => "number",
        YamlKind.String => "string",
        YamlKind.Sequence => "array",
        YamlKind.Mapping => "object",
        _ => "null",
    };

    /// <summary>The number as Go's JSON encoder would write it (what etcd's decoder errors quote).</summary>
    public string NumberText => Integer is { } i ? i.ToString(CultureInfo.InvariantCulture) : Real.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>sigs.k8s.io/yaml's coercion of a scalar into a Go string field (numbers, booleans → their text).</summary>
    public string ScalarAsString => Kind switch
    {
        YamlKind.Bool => BoolValue ? "true" : "false",
        YamlKind.Number => Integer is { } i ? i.ToString(CultureInfo.InvariantCulture) : ((float)Real).ToString("R", CultureInfo.InvariantCulture),
        _ => Text,
    };

    /// <summary>Reads the first document; a file with no document is null (etcd then keeps every default).</summary>
    /// <exception cref="YamlException">The text is not valid YAML.</exception>
    public static YamlValue? Load(string text)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlValue>(StringComparer.Ordinal);
        parser.Consume<StreamStart>();
        if (parser.TryConsume<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        var root = ReadNode(parser, anchors);
        return root;
    }

    private static YamlValue ReadNode(IParser parser, Dictionary<string, YamlValue> anchors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value.Value}' referenced");
        }

        YamlValue node;
        AnchorName anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor;
            node = Resolve(scalar);
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            anchor = sequenceStart.Anchor;
            var items = new List<YamlValue>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, anchors));
            }

            node = new YamlValue(YamlKind.Sequence, sequenceStart.Start) { Items = items };
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            anchor = mappingStart.Anchor;
            var entries = new List<KeyValuePair<string, YamlValue>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, anchors);
                var value = ReadNode(parser, anchors);
                var keyText = key.Kind is YamlKind.Sequence or YamlKind.Mapping
                    ? throw new YamlException(key.Start, key.Start, "Unsupported map key: a sequence or mapping")
                    : key.ScalarAsString;
                entries.RemoveAll(e => e.Key == keyText);
                entries.Add(new KeyValuePair<string, YamlValue>(keyText, value));
            }

            node = new YamlValue(YamlKind.Mapping, mappingStart.Start) { Entries = entries };
        }

        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }

        return node;
    }

    private static YamlValue Resolve(Scalar scalar)
    {
        var text = scalar.Value;
        var start = scalar.Start;
        var tag = scalar.Tag.IsEmpty ? string.Empty : scalar.Tag.Value;
        var isString = new YamlValue(YamlKind.String, start) { Text = text };
        if (!scalar.IsPlainImplicit || tag is "tag:yaml.org,2002:str" or "!!str")
        {
            return isString;
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return new YamlValue(YamlKind.Null, start);
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                return new YamlValue(YamlKind.Bool, start) { BoolValue = true, Text = text };
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                return new YamlValue(YamlKind.Bool, start) { BoolValue = false, Text = text };
            case ".nan" or ".NaN" or ".NAN":
                return Number(start, text, double.NaN, null);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                return Number(start, text, double.PositiveInfinity, null);
            case "-.inf" or "-.Inf" or "-.INF":
                return Number(start, text, double.NegativeInfinity, null);
        }

        var first = text[0];
        if (first == '.' && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var dotted))
        {
            return Number(start, text, dotted, null);
        }

        if (!(char.IsAsciiDigit(first) || first is '+' or '-'))
        {
            return isString;
        }

        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        if (TryGoInteger(plain, out var integer))
        {
            return Number(start, text, (double)integer, integer);
        }

        if (YamlFloat().IsMatch(plain) && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return Number(start, text, real, WholeNumber(real));
        }

        return isString;
    }

    private static YamlValue Number(Mark start, string text, double real, BigInteger? integer) =>
        new(YamlKind.Number, start) { Real = real, Integer = integer, Text = text };

    private static BigInteger? WholeNumber(double real) =>
        double.IsFinite(real) && Math.Floor(real) == real && Math.Abs(real) < 1e21 ? new BigInteger(real) : null;

    /// <summary>strconv.ParseInt/ParseUint with base 0, as go-yaml tries them, plus its "0b" form.</summary>
    private static bool TryGoInteger(string s, out BigInteger value)
    {
        value = default;
        if (Syntax.GoInteger.TryParseSigned(s, 64, out var signed) == Syntax.GoNumberError.None)
        {
            value = signed;
            return true;
        }

        if (Syntax.GoInteger.TryParseUnsigned(s, 64, out var unsigned) == Syntax.GoNumberError.None)
        {
            value = unsigned;
            return true;
        }

        return false;
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex YamlFloat();
}
