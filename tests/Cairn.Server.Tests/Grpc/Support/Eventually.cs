namespace Cairn.Server.Tests.Grpc.Support;

/// <summary>
/// Waits for a condition that nothing signals (a connection count Kestrel keeps, a call count
/// after a client vanished): checks it every few milliseconds until it holds or time runs out.
/// </summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"still not true after waiting: {what}");
            }
            await Task.Delay(10);
        }
    }
}
