using Cairn.Server.Logging;

namespace Cairn.Server.Tests.Logging;

public class CapnslogFormatTests
{
    [Fact]
    public void Lines_have_capnslogs_layout()
    {
        using var log = CapturedLogger.Capnslog();
        log.Logger.ForPackage("embed").Info("name", capnslog: "name = n1");
        Assert.Equal(["2026-11-22 03:22:39.365000 I | embed: name = n1"], log.StderrLines);
    }

    [Fact]
    public void Raft_lines_have_go_logs_layout_as_etcds_default_raft_logger()
    {
        using var log = CapturedLogger.Capnslog();
        log.Logger.ForPackage("raft").Info("raft.node: 1 elected leader 1 at term 2", capnslog: "raft.node: 1 elected leader 1 at term 2");
        log.Logger.ForPackage("raft").Warn("1 stepped down");
        Assert.Equal(["raft2026/11/22 03:22:39 INFO: raft.node: 1 elected leader 1 at term 2", "raft2026/11/22 03:22:39 WARN: 1 stepped down"], log.StderrLines);
    }

    [Fact]
    public void Zap_only_lines_are_not_printed()
    {
        using var log = CapturedLogger.Capnslog();
        log.Logger.ForPackage("embed").ZapInfo("now serving peer/client/metrics", [new LogField("local-member-id", "1")]);
        Assert.Empty(log.StderrLines);
    }

    [Fact]
    public void Without_a_package_there_is_no_prefix()
    {
        using var log = CapturedLogger.Capnslog();
        log.Logger.Warn("plain");
        Assert.Equal(["2026-11-22 03:22:39.365000 W | plain"], log.StderrLines);
    }

    [Theory]
    [InlineData(LogLevel.Debug, 'D')]
    [InlineData(LogLevel.Info, 'I')]
    [InlineData(LogLevel.Notice, 'N')]
    [InlineData(LogLevel.Warn, 'W')]
    [InlineData(LogLevel.Error, 'E')]
    [InlineData(LogLevel.Fatal, 'C')]
    [InlineData(LogLevel.Panic, 'C')]
    public void Levels_print_as_capnslogs_letters(LogLevel level, char letter)
    {
        using var log = CapturedLogger.Capnslog(LogLevel.Debug);
        log.Logger.Log(level, "x");
        Assert.Equal($"2026-11-22 03:22:39.365000 {letter} | x", log.StderrLines[0]);
    }

    [Fact]
    public void Local_time_is_printed_without_an_offset()
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("minus-five", TimeSpan.FromHours(-5), "minus-five", "minus-five");
        using var log = new CapturedLogger(new LoggerOptions(LogFormatKind.Capnslog, LogLevel.Info, [LogTarget.Stderr]), zone);
        log.Logger.Info("x");
        Assert.StartsWith("2026-11-21 22:22:39.365000 I | ", log.StderrLines[0]);
    }

    [Fact]
    public void Fields_follow_the_message_when_there_is_no_capnslog_wording()
    {
        using var log = CapturedLogger.Capnslog();
        log.Logger.ForPackage("etcdserver").Info("starting", [
            new LogField("name", "n1"), LogField.Strings("urls", ["http://a:1", "http://b:2"]), new LogField("note", "two words"),
            LogField.Duration("took", TimeSpan.FromMilliseconds(2.5)),
        ]);
        Assert.Equal("2026-11-22 03:22:39.365000 I | etcdserver: starting name=n1 urls=[http://a:1 http://b:2] note=\"two words\" took=2.5ms",
            log.StderrLines[0]);
    }

    [Fact]
    public void Debug_shows_the_calling_file_and_line_as_capnslog_does()
    {
        using var log = CapturedLogger.Capnslog(LogLevel.Debug, showCaller: true);
        log.Logger.Debug("x");
        Assert.Matches(@"^2026-11-22 03:22:39\.365000 \[CapnslogFormatTests\.cs:\d+\] D \| x$", log.StderrLines[0]);
    }
}
