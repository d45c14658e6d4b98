namespace Cairn.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: Cairn.Bench <workload>");
        return 2;
    }
}
