using System.Collections;
using System.Globalization;
using Cairn.Protocol.Etcdserverpb;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Cairn.Tests.Concurrency;

/// <summary>
/// A one-line, readable form of a response for transcripts: fields that are set, in number order,
/// bytes as text; of a header only the revision (cluster, member and raft term are each server's own).
/// </summary>
internal static class ProtoText
{
    public static string Format(IMessage message)
    {
        var parts = new List<string>();
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (message is ResponseHeader && field.FieldNumber != ResponseHeader.RevisionFieldNumber)
            {
                continue;
            }
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var items = (IList)value;
                if (items.Count > 0)
                {
                    parts.Add($"{field.Name}=[{string.Join(", ", items.Cast<object>().Select(Value))}]");
                }
            }
            else if (field.FieldType == FieldType.Message ? value is not null : !IsDefault(value))
            {
                parts.Add($"{field.Name}={Value(value)}");
            }
        }
        return string.Join(" ", parts);
    }

    private static string Value(object value) => value switch
    {
        IMessage nested => "{" + Format(nested) + "}",
        ByteString bytes => "\"" + bytes.ToStringUtf8() + "\"",
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static bool IsDefault(object value) => value switch
    {
        ByteString bytes => bytes.IsEmpty,
        string text => text.Length == 0,
        bool flag => !flag,
        Enum e => Convert.ToInt64(e, CultureInfo.InvariantCulture) == 0,
        IConvertible number => Convert.ToDecimal(number, CultureInfo.InvariantCulture) == 0,
        _ => false,
    };
}
