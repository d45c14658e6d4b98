using System.Collections.Immutable;
using Cairn.Server.Configuration.Flags;
using Cairn.Server.Configuration.Syntax;
using Cairn.Server.Logging;

namespace Cairn.Server.Configuration.Sources;

/// <summary>
/// Go's <c>flag</c> package, as etcd's flag set uses it: "-flag" and "--flag" alike, "--flag=value" or
/// "--flag value", bare booleans ("--flag" is true; "--flag false" is the flag and then a stray "false"),
/// "--" ends the flags, parsing stops at the first argument that is not a flag. A flag given twice keeps the
/// last value (lists are replaced, not appended).
/// </summary>
public static class CommandLineParser
{
    /// <summary>Parses the arguments; throws <see cref="FlagSyntaxException"/> with Go's message when they are malformed.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var values = FlagValues.Defaults;
        var notices = ImmutableArray.CreateBuilder<StartupNotice>();
        var i = 0;
        while (i < args.Count)
        {
            var s = args[i];
            if (s.Length < 2 || s[0] != '-')
            {
                break;
            }

            var minuses = 1;
            if (s[1] == '-')
            {
                minuses = 2;
                if (s.Length == 2)
                {
                    i++;
                    break;
                }
            }

            var name = s[minuses..];
            if (name.Length == 0 || name[0] is '-' or '=')
            {
                throw new FlagSyntaxException("bad flag syntax: " + s);
            }

            i++;
            string? value = null;
            var equals = name.IndexOf('=', 1);
            if (equals > 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            var flag = FlagTable.Find(name);
            if (flag is null)
            {
                if (name is "help" or "h")
                {
                    return new CommandLine(values, [], HelpRequested: true, notices.ToImmutable());
                }

                throw new FlagSyntaxException("flag provided but not defined: -" + name);
            }

            FlagSetResult result;
            if (flag.Type.IsBoolean)
            {
                result = flag.Type.Set(values[name].Value, value ?? "true");
                if (result.Error is not null)
                {
                    throw new FlagSyntaxException(value is not null
                        ? $"invalid boolean value {GoQuote.Quote(value)} for -{name}: {result.Error}"
                        : $"invalid boolean flag {name}: {result.Error}");
                }
            }
            else
            {
                if (value is null && i < args.Count)
                {
                    value = args[i++];
                }

                if (value is null)
                {
                    throw new FlagSyntaxException("flag needs an argument: -" + name);
                }

                result = flag.Type.Set(values[name].Value, value);
                if (result.Error is not null)
                {
                    throw new FlagSyntaxException($"invalid value {GoQuote.Quote(value)} for flag -{name}: {result.Error}");
                }
            }

            if (flag.Support.Status == SupportStatus.Retired)
            {
                notices.Add(RetiredFlagNotice(name));
            }

            values = values.With(name, result.Value, FlagOrigin.CommandLine);
        }

        return new CommandLine(values, [.. args.Skip(i)], HelpRequested: false, notices.ToImmutable());
    }

    /// <summary>etcd's warning for one of its retired 0.4/2.x flags.</summary>
    internal static StartupNotice RetiredFlagNotice(string name) =>
        new(LogLevel.Warn, "pkg/flags", "flag is no longer supported - ignoring", [new LogField("flag", "-" + name)],
            $"flag \"-{name}\" is no longer supported - ignoring.");
}
