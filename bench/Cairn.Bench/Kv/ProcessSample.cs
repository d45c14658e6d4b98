using System.Globalization;

namespace Cairn.Bench.Kv;

/// <summary>
/// What Linux says about a process at one moment (<c>/proc/PID/stat</c> and <c>status</c>):
/// CPU time used so far, resident memory now and at its peak. The server is another process,
/// so this is how the load generator sees what a workload cost it.
/// </summary>
internal readonly record struct ProcessSample(TimeSpan CpuTime, long RssKiB, long PeakRssKiB)
{
    // USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100;

    public static ProcessSample? TryRead(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "(comm) ".
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            long rss = 0, peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = KiB(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = KiB(line);
                }
            }
            return new ProcessSample(TimeSpan.FromSeconds(ticks / TicksPerSecond), rss, peak);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static long KiB(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
