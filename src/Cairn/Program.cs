namespace Cairn;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("cairn: the server is not assembled yet");
        return 1;
    }
}
