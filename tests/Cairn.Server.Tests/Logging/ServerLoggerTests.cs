using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Cairn.Server.Logging;

namespace Cairn.Server.Tests.Logging;

public class ServerLoggerTests
{
    [Fact]
    public void Lines_below_the_minimum_level_are_dropped()
    {
        using var log = CapturedLogger.Zap(LogLevel.Warn);
        log.Logger.Debug("d");
        log.Logger.Info("i");
        log.Logger.Notice("n");
        log.Logger.Warn("w");
        log.Logger.Error("e");
        Assert.Equal(["w", "e"], log.StderrLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("msg").GetString()));
        Assert.False(log.Logger.IsEnabled(LogLevel.Info));
        Assert.True(log.Logger.IsEnabled(LogLevel.Error));
    }

    [Fact]
    public void Package_levels_override_the_threshold_per_package()
    {
        var options = new LoggerOptions(LogFormatKind.Capnslog, LogLevel.Info, [LogTarget.Stderr],
            PackageLevels: ImmutableDictionary<string, LogLevel>.Empty.Add("rafthttp", LogLevel.Debug).Add("etcdserver", LogLevel.Error));
        using var log = new CapturedLogger(options);
        log.Logger.ForPackage("rafthttp").Debug("rafthttp debug");
        log.Logger.ForPackage("etcdserver").Warn("server warn");
        log.Logger.ForPackage("embed").Info("embed info");
        Assert.Equal(["rafthttp: rafthttp debug", "embed: embed info"], log.StderrLines.Select(l => l[(l.IndexOf("| ", StringComparison.Ordinal) + 2)..]));
    }

    [Fact]
    public void Star_package_level_sets_every_package()
    {
        var options = new LoggerOptions(LogFormatKind.Capnslog, LogLevel.Info, [LogTarget.Stderr],
            PackageLevels: ImmutableDictionary<string, LogLevel>.Empty.Add("*", LogLevel.Error));
        using var log = new CapturedLogger(options);
        log.Logger.ForPackage("embed").Warn("dropped");
        Assert.Empty(log.StderrLines);
    }

    [Fact]
    public void Stdout_and_files_receive_every_line_and_files_are_appended()
    {
        var path = Path.Combine(Path.GetTempPath(), "cairn-log-" + Guid.NewGuid().ToString("N") + ".log");
        try
        {
            File.WriteAllText(path, "existing\n");
            var options = new LoggerOptions(LogFormatKind.Zap, LogLevel.Info, [LogTarget.Stdout, new LogTarget(LogTargetKind.File, path)]);
            using (var log = new CapturedLogger(options))
            {
                log.Logger.Info("one");
                Assert.Single(log.StdoutLines);
                Assert.Empty(log.StderrLines);

                // Flushed as written: the file has the line before the logger is closed.
                var lines = ReadShared(path);
                Assert.Equal(2, lines.Length);
                Assert.Equal("existing", lines[0]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_output_that_cannot_be_opened_is_reported()
    {
        var options = new LoggerOptions(LogFormatKind.Zap, LogLevel.Info, [new LogTarget(LogTargetKind.File, "/nonexistent-dir/x.log")]);
        Assert.Null(ServerLogger.TryCreate(options, new StandardStreams(new MemoryStream(), new MemoryStream()), out var error));
        Assert.Equal("open sink \"/nonexistent-dir/x.log\": open /nonexistent-dir/x.log: no such file or directory", error);
    }

    [Fact]
    public void Journal_output_fails_clearly_when_there_is_no_journal()
    {
        var options = new LoggerOptions(LogFormatKind.Zap, LogLevel.Info, [new LogTarget(LogTargetKind.Journal)])
        {
            JournalSocketPath = Path.Combine(Path.GetTempPath(), "no-journal-" + Guid.NewGuid().ToString("N")),
        };
        Assert.Null(ServerLogger.TryCreate(options, new StandardStreams(new MemoryStream(), new MemoryStream()), out var error));
        Assert.StartsWith("can't find journal (dial unixgram ", error);
    }

    [Fact]
    public void Journal_output_sends_each_line_with_priority_package_and_identifier()
    {
        var path = Path.Combine(Path.GetTempPath(), "journal-" + Guid.NewGuid().ToString("N"));
        using var journal = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        journal.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var options = new LoggerOptions(LogFormatKind.Zap, LogLevel.Info, [new LogTarget(LogTargetKind.Journal)]) { JournalSocketPath = path };
            using var logger = ServerLogger.TryCreate(options, new StandardStreams(new MemoryStream(), new MemoryStream()), out var error)!;
            Assert.Null(error);
            logger.Warn("to the journal", [new LogField("k", "multi\nline")]);

            var buffer = new byte[65536];
            var length = journal.Receive(buffer);
            var fields = Encoding.UTF8.GetString(buffer, 0, length).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("PRIORITY=4", fields);
            Assert.Contains("PACKAGE=Logging", fields);
            Assert.Contains("SYSLOG_IDENTIFIER=cairn", fields);
            var message = Assert.Single(fields, f => f.StartsWith("MESSAGE=", StringComparison.Ordinal))["MESSAGE=".Length..];
            Assert.Equal("to the journal", JsonDocument.Parse(message).RootElement.GetProperty("msg").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Discard_output_swallows_everything()
    {
        var options = new LoggerOptions(LogFormatKind.Zap, LogLevel.Info, [new LogTarget(LogTargetKind.Discard), LogTarget.Stderr]);
        using var log = new CapturedLogger(options);
        log.Logger.Error("gone");
        Assert.Empty(log.StderrLines);
    }

    [Fact]
    public void Concurrent_writers_never_interleave_lines()
    {
        using var log = CapturedLogger.Zap();
        const int threads = 8;
        const int perThread = 300;
        Parallel.For(0, threads, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                log.Logger.Info("concurrent line", [LogField.Int("thread", t), LogField.Int("i", i), new LogField("pad", new string('x', 100))]);
            }
        });

        var lines = log.StderrLines;
        Assert.Equal(threads * perThread, lines.Length);
        var seen = lines.Select(l => JsonDocument.Parse(l).RootElement).Select(j => (j.GetProperty("thread").GetInt32(), j.GetProperty("i").GetInt32()));
        Assert.Equal(threads * perThread, seen.Distinct().Count());
    }

    [Fact]
    public void Two_loggers_in_one_process_are_independent()
    {
        using var zap = CapturedLogger.Zap();
        using var capnslog = CapturedLogger.Capnslog(LogLevel.Error);
        zap.Logger.Info("to zap");
        capnslog.Logger.Info("dropped by capnslog threshold");
        Assert.Single(zap.StderrLines);
        Assert.Empty(capnslog.StderrLines);
    }

    [Fact]
    public void Every_line_is_flushed_when_written()
    {
        var stream = new FlushCountingStream();
        using var logger = ServerLogger.Create(new LoggerOptions(LogFormatKind.Zap, LogLevel.Info, [LogTarget.Stderr]), new StandardStreams(new MemoryStream(), stream));
        logger.Info("a");
        logger.Info("b");
        Assert.Equal(2, stream.Flushes);
    }

    private static string[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private sealed class FlushCountingStream : MemoryStream
    {
        public int Flushes { get; private set; }

        public override void Flush()
        {
            Flushes++;
            base.Flush();
        }
    }
}
