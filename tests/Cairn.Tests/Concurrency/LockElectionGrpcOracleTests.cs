using System.Globalization;
using Cairn.Protocol.Etcdserverpb;
using Cairn.Protocol.V3electionpb;
using Cairn.Protocol.V3lockpb;
using Cairn.Server.Api;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Client;
using Cairn.Tests.Oracle;
using Cairn.Tests.Processes;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Cairn.Tests.Concurrency;

/// <summary>
/// etcd's Lock and Election services (which etcdctl cannot call) driven with the project's gRPC
/// client through the same session against etcd 3.4.23 and cairn: waiting behind a holder, handing
/// over on unlock, on a revoked lease and on resignation, re-entry with the same lease, deadlines,
/// every error, and Observe's stream. Every answer must read the same (header IDs and raft term
/// aside; leases the servers chose themselves named by order of appearance).
/// </summary>
public sealed class LockElectionGrpcOracleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    // Leases the session grants with chosen IDs, so that keys are the same on both servers.
    private const long A = 0xa1, B = 0xb2, C = 0xc3, D = 0xd4;

    [Fact]
    public async Task Cairn_answers_lock_and_election_calls_as_etcd_does()
    {
        var etcd = await SessionAsync(ServerKind.Etcd);
        output.WriteLine("etcd 3.4.23's session:\n" + string.Join('\n', etcd));
        var cairn = await SessionAsync(ServerKind.Cairn);
        DumpAssert.Same(etcd, cairn, "etcd 3.4.23", "cairn");
    }

    private async Task<IReadOnlyList<string>> SessionAsync(ServerKind kind)
    {
        using var member = Processes.TestMember.Create();
        await using var server = await ServerProcess.StartAsync(kind, member, output);
        using var channel = new GrpcChannel(member.ClientUrl);
        var s = new RecipeSession(channel);

        foreach (var lease in new[] { A, B, C, D })
        {
            await s.Call(EtcdMethods.Lease.LeaseGrant, new LeaseGrantRequest { ID = lease, TTL = 60 });
        }

        // A lock: taken, taken again, waited for in order, handed over on unlock and on a revoke.
        var l = Bytes("l");
        await s.Call(EtcdMethods.Lock.Acquire, new LockRequest { Name = l, Lease = A });
        await s.Call(EtcdMethods.Lock.Acquire, new LockRequest { Name = l, Lease = A });
        var second = s.Start(EtcdMethods.Lock.Acquire, new LockRequest { Name = l, Lease = B });
        await s.WaitForKeyAsync("l/b2", exists: true);
        var third = s.Start(EtcdMethods.Lock.Acquire, new LockRequest { Name = l, Lease = C });
        await s.WaitForKeyAsync("l/c3", exists: true);
        await s.Call(EtcdMethods.Lock.Unlock, new UnlockRequest { Key = Bytes("l/a1") });
        await s.Finish(second);
        await s.Call(EtcdMethods.Lease.LeaseRevoke, new LeaseRevokeRequest { ID = B });
        await s.Finish(third);
        // A waiter that gives up: its key goes.
        await s.Call(EtcdMethods.Lock.Acquire, new LockRequest { Name = l, Lease = D }, TimeSpan.FromSeconds(1));
        await s.WaitForKeyAsync("l/d4", exists: false);
        await s.Call(EtcdMethods.Kv.Range, new RangeRequest { Key = Bytes("l/"), RangeEnd = Bytes("l0") });
        await s.Call(EtcdMethods.Lock.Acquire, new LockRequest { Name = l, Lease = 12345 });
        await s.Call(EtcdMethods.Lock.Unlock, new UnlockRequest());
        await s.Call(EtcdMethods.Lock.Unlock, new UnlockRequest { Key = Bytes("l/c3") });
        await s.Call(EtcdMethods.Lock.Unlock, new UnlockRequest { Key = Bytes("l/c3") });
        await s.Call(EtcdMethods.Lock.Acquire, new LockRequest { Name = ByteString.Empty, Lease = A });
        await s.Call(EtcdMethods.Lock.Acquire, new LockRequest { Name = Bytes("fresh") });

        // An election: campaign, a second campaigner waiting, proclamations, resignation.
        var e = Bytes("e");
        await s.Call(EtcdMethods.Election.Leader, new LeaderRequest { Name = e });
        var leaderA = (await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = e, Lease = A, Value = Bytes("v1") }))!.Leader;
        await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = e, Lease = A, Value = Bytes("v1") });
        var campaignC = s.Start(EtcdMethods.Election.Campaign, new CampaignRequest { Name = e, Lease = C, Value = Bytes("v2") });
        await s.WaitForKeyAsync("e/c3", exists: true);
        await s.Call(EtcdMethods.Election.Leader, new LeaderRequest { Name = e });
        await s.Call(EtcdMethods.Election.Proclaim, new ProclaimRequest { Leader = leaderA, Value = Bytes("v1b") });
        await s.Call(EtcdMethods.Election.Leader, new LeaderRequest { Name = e });
        await s.Call(EtcdMethods.Election.Proclaim, new ProclaimRequest { Leader = new LeaderKey(leaderA) { Rev = leaderA.Rev + 1 }, Value = Bytes("x") });
        await s.Call(EtcdMethods.Election.Proclaim, new ProclaimRequest { Value = Bytes("x") });
        await s.Call(EtcdMethods.Election.Proclaim, new ProclaimRequest { Leader = new LeaderKey(leaderA) { Key = ByteString.Empty }, Value = Bytes("x") });
        await s.Call(EtcdMethods.Election.Resign, new ResignRequest());
        await s.Call(EtcdMethods.Election.Resign, new ResignRequest { Leader = new LeaderKey(leaderA) { Key = ByteString.Empty } });
        await s.Call(EtcdMethods.Election.Resign, new ResignRequest { Leader = leaderA });
        var leaderC = (await s.Finish(campaignC))!.Leader;
        await s.Call(EtcdMethods.Election.Leader, new LeaderRequest { Name = e });
        await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = e, Lease = C, Value = Bytes("v3") });
        await s.Call(EtcdMethods.Election.Leader, new LeaderRequest { Name = e });
        // Lease 0 in a leader key: etcd's session grants a lease, and the proclamation moves the key to it.
        await s.Call(EtcdMethods.Election.Proclaim, new ProclaimRequest { Leader = new LeaderKey(leaderC) { Lease = 0 }, Value = Bytes("v4") });
        await s.Call(EtcdMethods.Election.Leader, new LeaderRequest { Name = e });
        await s.Call(EtcdMethods.Election.Resign, new ResignRequest { Leader = leaderA });
        await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = e, Lease = 777, Value = Bytes("x") });
        await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = Bytes("e2"), Value = Bytes("session") });
        await s.Call(EtcdMethods.Election.Resign, new ResignRequest { Leader = leaderC });

        // Observe: from no leader, through a proclamation, to the next leader; a second observer joins late.
        var o = Bytes("o");
        using (var first = s.Observe(o))
        {
            var leaderO = (await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = o, Lease = A, Value = Bytes("first") }))!.Leader;
            await s.Read(first, "observer 1");
            await s.Call(EtcdMethods.Election.Proclaim, new ProclaimRequest { Leader = leaderO, Value = Bytes("second") });
            await s.Read(first, "observer 1");
            var campaignD = s.Start(EtcdMethods.Election.Campaign, new CampaignRequest { Name = o, Lease = D, Value = Bytes("third") });
            await s.WaitForKeyAsync("o/d4", exists: true);
            await s.Call(EtcdMethods.Election.Resign, new ResignRequest { Leader = leaderO });
            await s.Finish(campaignD);
            await s.Read(first, "observer 1");
            using var late = s.Observe(o);
            await s.Read(late, "observer 2");
            await s.Call(EtcdMethods.Lease.LeaseRevoke, new LeaseRevokeRequest { ID = D });
            var leaderO4 = (await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = o, Lease = C, Value = Bytes("fourth") }))!.Leader;
            await s.Read(first, "observer 1");
            await s.Read(late, "observer 2");
            // Nobody leads for a while; the observers wait for the next campaigner.
            await s.Call(EtcdMethods.Election.Resign, new ResignRequest { Leader = leaderO4 });
            await s.Call(EtcdMethods.Kv.Put, new PutRequest { Key = Bytes("elsewhere"), Value = Bytes("x") });
            await s.Call(EtcdMethods.Election.Campaign, new CampaignRequest { Name = o, Lease = A, Value = Bytes("fifth") });
            await s.Read(first, "observer 1");
            await s.Read(late, "observer 2");
        }

        await s.Call(EtcdMethods.Kv.Range, new RangeRequest { Key = Bytes("\0"), RangeEnd = Bytes("\0") });
        var leases = await channel.UnaryAsync(EtcdMethods.Lease.LeaseLeases, new LeaseLeasesRequest());
        return s.Transcript(leases.Leases.Select(x => x.ID).Where(id => id is not (A or B or C or D)));
    }

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);

    /// <summary>One client's session with one server, written down call by call.</summary>
    private sealed class RecipeSession(GrpcChannel channel)
    {
        private readonly List<string> _lines = [];

        /// <summary>Calls and writes down the request and the answer; returns the response (null on an error).</summary>
        public async Task<TResponse?> Call<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, TimeSpan? deadline = null)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            _lines.Add($"{method.Name} {ProtoText.Format(request)}");
            var (line, response) = await Answer(method, request, deadline ?? Patience);
            _lines.Add(line);
            return response;
        }

        /// <summary>Starts a call that waits (a lock or a campaign behind another); <see cref="Finish"/> writes its answer down.</summary>
        public Task<(string Line, TResponse? Response)> Start<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            _lines.Add($"{method.Name} {ProtoText.Format(request)} (waits)");
            return Answer(method, request, TimeSpan.FromMinutes(1));
        }

        public async Task<TResponse?> Finish<TResponse>(Task<(string Line, TResponse? Response)> started)
            where TResponse : class
        {
            var (line, response) = await started.WaitAsync(Patience);
            _lines.Add(line.Replace("  ", "  (the waiting call) ", StringComparison.Ordinal));
            return response;
        }

        public GrpcServerStreamingCall<LeaderResponse> Observe(ByteString name)
        {
            _lines.Add($"Observe name=\"{name.ToStringUtf8()}\"");
            return channel.ServerStreaming(EtcdMethods.Election.Observe, new LeaderRequest { Name = name });
        }

        public async Task Read(GrpcServerStreamingCall<LeaderResponse> observe, string who)
        {
            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                _lines.Add(await observe.ResponseStream.MoveNextAsync(timeout.Token)
                    ? $"  {who}: {ProtoText.Format(observe.ResponseStream.Current)}"
                    : $"  {who}: the stream ended");
            }
            catch (GrpcException e)
            {
                _lines.Add($"  {who}: error {e.Code}: {e.Detail}");
            }
        }

        /// <summary>Polls until a waiter's key is there (it has joined) or gone (its call gave up); written down nowhere.</summary>
        public async Task WaitForKeyAsync(string key, bool exists)
        {
            var deadline = DateTime.UtcNow + Patience;
            while ((await channel.UnaryAsync(EtcdMethods.Kv.Range, new RangeRequest { Key = Bytes(key), CountOnly = true })).Count > 0 != exists)
            {
                Assert.True(DateTime.UtcNow < deadline, $"key {key} still {(exists ? "missing" : "there")} after {Patience}");
                await Task.Delay(20);
            }
        }

        /// <summary>The lines, with the leases the server chose named by order of appearance.</summary>
        public IReadOnlyList<string> Transcript(IEnumerable<long> chosenByServer)
        {
            var text = string.Join('\n', _lines);
            var named = chosenByServer
                .Select(id => (Id: id, At: First(text, id)))
                .Where(x => x.At >= 0)
                .OrderBy(x => x.At)
                .Select((x, i) => (x.Id, Name: $"<server lease {i + 1}>"));
            foreach (var (id, name) in named)
            {
                text = text.Replace(id.ToString(CultureInfo.InvariantCulture), name, StringComparison.Ordinal)
                    .Replace(id.ToString("x", CultureInfo.InvariantCulture), name, StringComparison.Ordinal);
            }
            return text.Split('\n');
        }

        private static int First(string text, long id)
        {
            int dec = text.IndexOf(id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            int hex = text.IndexOf(id.ToString("x", CultureInfo.InvariantCulture), StringComparison.Ordinal);
            return dec < 0 ? hex : hex < 0 ? dec : Math.Min(dec, hex);
        }

        private async Task<(string Line, TResponse? Response)> Answer<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, TRequest request, TimeSpan timeout)
            where TRequest : class, IMessage<TRequest>
            where TResponse : class, IMessage<TResponse>
        {
            try
            {
                var response = await channel.UnaryAsync(method, request, new GrpcCallOptions { Timeout = timeout });
                return ("  " + ProtoText.Format(response), response);
            }
            catch (GrpcException e) when (e.Code == GrpcStatusCode.DeadlineExceeded
                || (e.Code == GrpcStatusCode.Unknown && e.Detail == "context deadline exceeded"))
            {
                // Whether the client's clock or the server's (etcd answers Unknown with the context's
                // text) ends the call first is a race on a loaded machine: both say the deadline passed.
                return ("  error deadline exceeded", null);
            }
            catch (GrpcException e)
            {
                return ($"  error {e.Code}: {e.Detail}", null);
            }
        }
    }
}
