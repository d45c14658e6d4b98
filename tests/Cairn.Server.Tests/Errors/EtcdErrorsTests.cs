using Cairn.Server.Grpc;
using System.Text.RegularExpressions;
using Cairn.Server.Errors;

namespace Cairn.Server.Tests.Errors;

public partial class EtcdErrorsTests
{
    private const string RpcTypes = "/usr/share/gocode/src/go.etcd.io/etcd/etcdserver/api/v3rpc/rpctypes/error.go";
    private const string ServerErrors = "/usr/share/gocode/src/go.etcd.io/etcd/etcdserver/errors.go";

    [GeneratedRegex("""(ErrG[A-Za-z]+)\s*=\s*status\.New\(codes\.(\w+), "([^"]+)"\)""")]
    private static partial Regex GrpcError();

    [GeneratedRegex("""errors\.New\("(etcdserver: [^"]+)"\)""")]
    private static partial Regex ServerError();

    [Fact]
    public void Every_grpc_error_of_etcd_is_in_the_catalogue_with_its_text_and_code()
    {
        // Read etcd's own source (installed with golang-etcd-server-dev) so the texts cannot drift.
        Assert.True(File.Exists(RpcTypes), $"{RpcTypes} is missing: install golang-etcd-server-dev");
        var matches = GrpcError().Matches(File.ReadAllText(RpcTypes));
        Assert.True(matches.Count >= 50, $"only {matches.Count} errors found in {RpcTypes}");
        foreach (Match m in matches)
        {
            string name = m.Groups[1].Value, code = m.Groups[2].Value, text = m.Groups[3].Value;
            var entry = EtcdErrors.FindByMessage(text);
            Assert.True(entry is not null, $"{name} \"{text}\" is not in the catalogue");
            // etcd turns these two into client-side values gRPC sends as Unknown.
            string expected = name is "ErrGRPCMemberNotEnoughStarted" or "ErrGRPCRequestTooManyRequests" ? "Unknown" : code;
            // Go spells it Canceled; the gRPC status enum here follows the gRPC spec's CANCELLED.
            string actual = entry.Code == GrpcStatusCode.Cancelled ? "Canceled" : entry.Code.ToString();
            Assert.True(expected == actual, $"{name}: code {entry.Code}, etcd's {expected}");
        }
    }

    [Fact]
    public void Every_server_error_that_reaches_clients_keeps_etcds_text()
    {
        var texts = ServerError().Matches(File.ReadAllText(ServerErrors)).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(texts);
        foreach (var text in texts)
        {
            // Mapped to a gRPC error with another text by etcd's togRPCError, or sent as is.
            var mapped = text switch
            {
                "etcdserver: no space" => "etcdserver: mvcc: database space exceeded",
                _ => text,
            };
            Assert.True(EtcdErrors.FindByMessage(mapped) is not null, $"\"{text}\" is not in the catalogue");
        }
    }

    [Fact]
    public void Texts_are_unique_so_clients_can_tell_errors_apart()
    {
        Assert.Equal(EtcdErrors.All.Count, EtcdErrors.All.Select(e => e.Message).Distinct().Count());
    }

    [Fact]
    public void Exceptions_map_to_the_error_a_client_sees()
    {
        Assert.Same(EtcdErrors.Compacted, EtcdErrors.FromException(EtcdErrors.Compacted.ToException()));
        Assert.Same(EtcdErrors.RequestCanceled, EtcdErrors.FromException(new OperationCanceledException()));
        var unknown = EtcdErrors.FromException(new IOException("disk on fire"));
        Assert.Equal((GrpcStatusCode.Unknown, "disk on fire"), (unknown.Code, unknown.Message));
        Assert.Null(EtcdErrors.FindByMessage("no such error"));
    }

    [Fact]
    public void Grpc_codes_have_their_wire_numbers()
    {
        Assert.Equal(3, (int)GrpcStatusCode.InvalidArgument);
        Assert.Equal(11, (int)GrpcStatusCode.OutOfRange);
        Assert.Equal(14, (int)GrpcStatusCode.Unavailable);
        Assert.Equal(16, (int)GrpcStatusCode.Unauthenticated);
    }
}
