using System.Collections.Immutable;
using Cairn.Server.Configuration;
using Cairn.Server.Configuration.Building;
using Cairn.Server.Configuration.Model;
using Cairn.Server.Configuration.Sources;

namespace Cairn.Server.Tests.Configuration;

/// <summary>Loads a configuration from arguments and an environment, as the executable does, with a fixed default host.</summary>
internal static class ConfigurationHarness
{
    public const string DefaultHost = "10.0.0.5";

    public static LoadResult Load(string[] args, params (string Key, string Value)[] environment) =>
        new ConfigurationLoader(environment.Select(e => new KeyValuePair<string, string>(e.Key, e.Value)).ToList(), new FixedDefaultHost(DefaultHost))
            .Load(CommandLineParser.Parse(args));

    /// <summary>Loads and insists on success.</summary>
    public static ServerConfiguration Valid(string[] args, params (string Key, string Value)[] environment)
    {
        var result = Load(args, environment);
        Assert.True(result.Error is null, "unexpected error: " + result.Error?.Message);
        return result.Configuration!;
    }

    /// <summary>Loads and insists on failure; returns the message.</summary>
    public static string Error(string[] args, params (string Key, string Value)[] environment)
    {
        var result = Load(args, environment);
        Assert.True(result.Error is not null, "expected an error");
        Assert.Null(result.Configuration);
        return result.Error!.Message;
    }

    /// <summary>The capnslog wording of every notice, for matching etcd's lines.</summary>
    public static ImmutableArray<string> NoticeTexts(LoadResult result) =>
        [.. result.Notices.Select(n => n.Capnslog ?? n.Message)];

}

/// <summary>A temporary file holding some text, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    public TempFile(string text, string extension = ".yml")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cairn-test-" + Guid.NewGuid().ToString("N") + extension);
        File.WriteAllText(Path, text);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
