using System.Globalization;
using System.Text;

namespace Cairn.Storage;

/// <summary>
/// Writes JSON exactly as Go's <c>encoding/json</c> does (compact; strings escaped with Go's
/// rules: <c>&lt; &gt; &amp;</c>, control characters and U+2028/U+2029 as lowercase <c>\u00xx</c>,
/// <c>\n \r \t</c> short, other non-ASCII text literal), so that JSON Cairn writes for etcd (the v2
/// store, member records, HTTP answers) is byte-identical to what etcd writes for the same content.
/// </summary>
public sealed class GoJsonWriter
{
    private readonly StringBuilder _text = new();
    private bool _needComma;

    public override string ToString() => _text.ToString();

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    public GoJsonWriter StartObject()
    {
        Separate();
        _text.Append('{');
        _needComma = false;
        return this;
    }

    public GoJsonWriter EndObject()
    {
        _text.Append('}');
        _needComma = true;
        return this;
    }

    public GoJsonWriter StartArray()
    {
        Separate();
        _text.Append('[');
        _needComma = false;
        return this;
    }

    public GoJsonWriter EndArray()
    {
        _text.Append(']');
        _needComma = true;
        return this;
    }

    /// <summary>Writes a property name; the value written next belongs to it.</summary>
    public GoJsonWriter Name(string name)
    {
        Separate();
        AppendString(name);
        _text.Append(':');
        _needComma = false;
        return this;
    }

    public GoJsonWriter String(string value)
    {
        Separate();
        AppendString(value);
        _needComma = true;
        return this;
    }

    public GoJsonWriter Number(ulong value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    public GoJsonWriter Number(long value) => Raw(value.ToString(CultureInfo.InvariantCulture));

    public GoJsonWriter Bool(bool value) => Raw(value ? "true" : "false");

    public GoJsonWriter Null() => Raw("null");

    public GoJsonWriter Strings(IEnumerable<string> values)
    {
        StartArray();
        foreach (string v in values)
        {
            String(v);
        }
        return EndArray();
    }

    private GoJsonWriter Raw(string token)
    {
        Separate();
        _text.Append(token);
        _needComma = true;
        return this;
    }

    private void Separate()
    {
        if (_needComma)
        {
            _text.Append(',');
            _needComma = false;
        }
    }

    private void AppendString(string s)
    {
        _text.Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\\':
                    _text.Append("\\\\");
                    break;
                case '\n':
                    _text.Append("\\n");
                    break;
                case '\r':
                    _text.Append("\\r");
                    break;
                case '\t':
                    _text.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029' or < ' ':
                    _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        _text.Append(c).Append(s[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        _text.Append("\\ufffd"); // Go writes invalid UTF-8 as the replacement character
                    }
                    else
                    {
                        _text.Append(c);
                    }
                    break;
            }
        }
        _text.Append('"');
    }
}
