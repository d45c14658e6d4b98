using System.Text.Json;
using Cairn.Server.Logging;

namespace Cairn.Server.Tests.Logging;

public class ZapJsonFormatTests
{
    private static JsonElement Parse(string line) => JsonDocument.Parse(line).RootElement;

    [Fact]
    public void Lines_are_json_objects_with_etcds_keys_first_then_the_fields_in_order()
    {
        using var log = CapturedLogger.Zap();
        log.Logger.Info("configuring peer listeners", [LogField.Strings("listen-peer-urls", ["http://127.0.0.1:2380"]), LogField.Int("n", 3)]);

        var line = Assert.Single(log.StderrLines);
        var json = Parse(line);
        Assert.Equal(["level", "ts", "caller", "msg", "listen-peer-urls", "n"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("info", json.GetProperty("level").GetString());
        Assert.Equal("2026-11-22T03:22:39.365Z", json.GetProperty("ts").GetString());
        Assert.Equal("configuring peer listeners", json.GetProperty("msg").GetString());
        Assert.Equal(["http://127.0.0.1:2380"], json.GetProperty("listen-peer-urls").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, json.GetProperty("n").GetInt32());
    }

    [Fact]
    public void Exact_line_matches_etcds_layout()
    {
        using var log = CapturedLogger.Zap();
        log.Logger.Info("pprof is enabled", [new LogField("path", "/debug/pprof")]);
        var caller = Parse(log.StderrLines[0]).GetProperty("caller").GetString();
        Assert.Equal($"{{\"level\":\"info\",\"ts\":\"2026-11-22T03:22:39.365Z\",\"caller\":\"{caller}\",\"msg\":\"pprof is enabled\",\"path\":\"/debug/pprof\"}}",
            log.StderrLines[0]);
    }

    [Fact]
    public void Caller_is_the_folder_file_and_line_of_the_call()
    {
        using var log = CapturedLogger.Zap();
        log.Logger.Warn("x");
        Assert.Matches(@"^Logging/ZapJsonFormatTests\.cs:\d+$", Parse(log.StderrLines[0]).GetProperty("caller").GetString());
    }

    [Fact]
    public void Timestamp_is_local_time_with_a_numeric_offset_outside_utc()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("plus-one", TimeSpan.FromHours(1), "plus-one", "plus-one");
        using var log = new CapturedLogger(new LoggerOptions(LogFormatKind.Zap, LogLevel.Info, [LogTarget.Stderr]), zone);
        log.Logger.Info("x");
        Assert.Equal("2026-11-22T04:22:39.365+0100", Parse(log.StderrLines[0]).GetProperty("ts").GetString());
    }

    [Theory]
    [InlineData(LogLevel.Debug, "debug")]
    [InlineData(LogLevel.Info, "info")]
    [InlineData(LogLevel.Notice, "info")]
    [InlineData(LogLevel.Warn, "warn")]
    [InlineData(LogLevel.Error, "error")]
    [InlineData(LogLevel.DPanic, "dpanic")]
    [InlineData(LogLevel.Panic, "panic")]
    [InlineData(LogLevel.Fatal, "fatal")]
    public void Levels_print_as_zaps_lowercase_names(LogLevel level, string name)
    {
        using var log = CapturedLogger.Zap(LogLevel.Debug);
        log.Logger.Log(level, "x");
        Assert.Equal(name, Parse(log.StderrLines[0]).GetProperty("level").GetString());
    }

    [Fact]
    public void Typed_fields_print_as_zap_prints_them()
    {
        using var log = CapturedLogger.Zap();
        log.Logger.Info("started", [
            LogField.Duration("heartbeat-interval", TimeSpan.FromMilliseconds(100)),
            LogField.Duration("election-timeout", TimeSpan.FromSeconds(1)),
            LogField.Boolean("force-new-cluster", false),
            LogField.UInt("snapshot-count", 100000),
            LogField.Int("max-cpu-set", -2),
            LogField.Double("ratio", 0.5),
            LogField.Error(new InvalidOperationException("boom")),
        ]);
        var json = Parse(log.StderrLines[0]);
        Assert.Equal("100ms", json.GetProperty("heartbeat-interval").GetString());
        Assert.Equal("1s", json.GetProperty("election-timeout").GetString());
        Assert.False(json.GetProperty("force-new-cluster").GetBoolean());
        Assert.Equal(100000UL, json.GetProperty("snapshot-count").GetUInt64());
        Assert.Equal(-2, json.GetProperty("max-cpu-set").GetInt32());
        Assert.Equal(0.5, json.GetProperty("ratio").GetDouble());
        Assert.Equal("boom", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Strings_are_escaped_so_every_line_stays_one_json_object()
    {
        using var log = CapturedLogger.Zap();
        const string nasty = "quote\" backslash\\ newline\n tab\t cr\r bell\u0007 <html>&amp; é 😀";
        log.Logger.Info(nasty, [new LogField("k\"ey", nasty)]);
        var line = Assert.Single(log.StderrLines);
        Assert.Contains("\\u0007", line);
        Assert.Contains("<html>&amp;", line);
        var json = Parse(line);
        Assert.Equal(nasty, json.GetProperty("msg").GetString());
        Assert.Equal(nasty, json.GetProperty("k\"ey").GetString());
    }

    [Fact]
    public void Lone_surrogates_become_the_replacement_character()
    {
        using var log = CapturedLogger.Zap();
        log.Logger.Info("bad \ud800 text");
        Assert.Equal("bad \ufffd text", Parse(log.StderrLines[0]).GetProperty("msg").GetString());
    }

    [Fact]
    public void Capnslog_wording_does_not_change_zap_output()
    {
        using var log = CapturedLogger.Zap();
        log.Logger.Info("zap message", [new LogField("k", "v")], capnslog: "capnslog text");
        Assert.Equal("zap message", Parse(log.StderrLines[0]).GetProperty("msg").GetString());
    }
}
