using System.Reflection;

namespace Cairn.Bench;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var workloads = typeof(Program).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IWorkload).IsAssignableFrom(t))
            .Select(t => (IWorkload)Activator.CreateInstance(t)!)
            .OrderBy(w => w.Name, StringComparer.Ordinal)
            .ToList();

        var chosen = args.Length > 0 ? workloads.FirstOrDefault(w => w.Name == args[0]) : null;
        if (chosen is null)
        {
            Console.Error.WriteLine("usage: Cairn.Bench <workload> [args]");
            foreach (var w in workloads)
            {
                Console.Error.WriteLine($"  {w.Name,-24} {w.Description}");
            }
            return 2;
        }
        return await chosen.RunAsync(args[1..]);
    }
}
