using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>
/// Kestrel's socket transport with the member's buffer pool for its own pipes (what each
/// connection reads from and writes to its socket). The transport takes that pool only from
/// dependency injection, through <see cref="WebHostBuilderSocketExtensions.UseSockets(IWebHostBuilder)"/>;
/// built by hand it falls back to one over the shared <see cref="ArrayPool{T}"/>, and under a
/// catch-up burst (responses of tens of KiB copied into the connection's output) that pool
/// missed and allocated on most writes. So the transport is made the way a host makes it, in a
/// service collection of its own holding only it, the pool and the logger factory.
/// </summary>
internal static class SocketTransportWithPool
{
    public static IConnectionListenerFactory Create(MemoryPool<byte> pool, ILoggerFactory loggerFactory)
    {
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton<IMemoryPoolFactory<byte>>(new FixedPoolFactory(pool));
        new ServicesOnlyBuilder(services).UseSockets();
        return services.BuildServiceProvider().GetRequiredService<IConnectionListenerFactory>();
    }

    /// <summary>Hands out the one pool (its owner disposes it).</summary>
    private sealed class FixedPoolFactory(MemoryPool<byte> pool) : IMemoryPoolFactory<byte>
    {
        public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new Unowned(pool);

        /// <summary>The pool as the transport sees it: its dispose when the transport stops leaves the shared pool alone.</summary>
        private sealed class Unowned(MemoryPool<byte> pool) : MemoryPool<byte>
        {
            public override int MaxBufferSize => pool.MaxBufferSize;

            public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => pool.Rent(minBufferSize);

            protected override void Dispose(bool disposing)
            {
            }
        }
    }

    /// <summary>Only what <c>UseSockets</c> calls: registering services.</summary>
    private sealed class ServicesOnlyBuilder(IServiceCollection services) : IWebHostBuilder
    {
        public IWebHostBuilder ConfigureServices(Action<IServiceCollection> configureServices)
        {
            configureServices(services);
            return this;
        }

        public IWebHostBuilder ConfigureServices(Action<WebHostBuilderContext, IServiceCollection> configureServices) =>
            throw new NotSupportedException("only services are configured here");

        public IWebHostBuilder ConfigureAppConfiguration(Action<WebHostBuilderContext, IConfigurationBuilder> configureDelegate) =>
            throw new NotSupportedException("only services are configured here");

#pragma warning disable ASPDEPR008 // the interface still declares it; nothing here builds a host
        public IWebHost Build() => throw new NotSupportedException("nothing is hosted here");
#pragma warning restore ASPDEPR008

        public string? GetSetting(string key) => null;

        public IWebHostBuilder UseSetting(string key, string? value) => throw new NotSupportedException("only services are configured here");
    }
}
