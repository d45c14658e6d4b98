using System.Buffers;
using System.IO.Pipelines;
using Cairn.Server.Grpc;
using Cairn.Server.Grpc.Framing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Cairn.Server.Tests.Grpc;

/// <summary>The pieces of the wire format, without a server: status text, metadata, framing.</summary>
public sealed class GrpcWireFormatTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("héllo", "h%C3%A9llo")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("", "")]
    public void Status_message_is_percent_encoded_as_grpc_go_does(string message, string wire)
    {
        Assert.Equal(wire, GrpcStatusMessage.Encode(message));
        Assert.Equal(message, GrpcStatusMessage.Decode(wire));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz and %4", "%zz and %4")]
    [InlineData("%41%42", "AB")]
    public void Status_message_decoding_keeps_what_is_not_an_escape(string wire, string message)
    {
        Assert.Equal(message, GrpcStatusMessage.Decode(wire));
    }

    [Fact]
    public void Binary_metadata_travels_as_unpadded_base64_and_either_form_is_read()
    {
        var metadata = new GrpcMetadata().Add("trace-bin", [1, 2, 3, 4]);
        var received = new GrpcMetadata();

        Assert.Equal("AQIDBA", metadata[0].WireValue);
        Assert.True(received.TryAddFromWire("Trace-Bin", "AQIDBA"));
        Assert.True(received.TryAddFromWire("other-bin", "AQIDBA=="));
        Assert.False(received.TryAddFromWire("broken-bin", "!!!"));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, received.GetBytes("trace-bin"));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, received.GetBytes("other-bin"));
    }

    [Theory]
    [InlineData("grpc-timeout")]
    [InlineData("bad key")]
    [InlineData("")]
    public void Metadata_refuses_reserved_and_invalid_keys(string key)
    {
        Assert.ThrowsAny<ArgumentException>(() => new GrpcMetadata().Add(key, "v"));
    }

    [Fact]
    public void Metadata_refuses_string_values_on_binary_keys_and_the_reverse()
    {
        Assert.Throws<ArgumentException>(() => new GrpcMetadata().Add("x-bin", "text"));
        Assert.Throws<ArgumentException>(() => new GrpcMetadata().Add("x", [1]));
        Assert.Throws<ArgumentException>(() => new GrpcMetadata().Add("x", "tab\there"));
    }

    [Fact]
    public async Task Reader_assembles_messages_split_at_every_byte()
    {
        var messages = Enumerable.Range(0, 5).Select(i => new StringValue { Value = new string((char)('a' + i), i * 7) }).ToList();
        var wire = messages.SelectMany(m => Frame(m.ToByteArray())).ToArray();
        var pipe = new Pipe();
        var reader = new GrpcMessageReader(pipe.Reader, 1024, encoding: null, unary: false);

        var writing = Task.Run(async () =>
        {
            foreach (var b in wire)
            {
                await pipe.Writer.WriteAsync(new[] { b });
            }
            await pipe.Writer.CompleteAsync();
        });
        var read = new List<StringValue>();
        while (await reader.ReadAsync(StringValue.Parser, CancellationToken.None) is { } message)
        {
            read.Add(message);
        }
        await writing;

        Assert.Equal(messages, read);
    }

    [Fact]
    public async Task Reader_refuses_an_oversized_message_before_its_body_arrives()
    {
        var pipe = new Pipe();
        var reader = new GrpcMessageReader(pipe.Reader, 10, encoding: null, unary: false);
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0, 0, 11 });

        var error = await Assert.ThrowsAsync<GrpcException>(async () => await reader.ReadAsync(StringValue.Parser, CancellationToken.None));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Code);
        Assert.Equal("grpc: received message larger than max (11 vs. 10)", error.Detail);
    }

    [Fact]
    public void Writer_prefixes_small_and_large_messages_alike()
    {
        foreach (var size in new[] { 0, 10, 200_000 })
        {
            var message = new BytesValue { Value = ByteString.CopyFrom(new byte[size]) };
            var output = new ArrayBufferWriter<byte>();
            GrpcMessageWriter.Write(output, message, GrpcMessageWriter.MeasureForSend(message, int.MaxValue));

            Assert.Equal(Frame(message.ToByteArray()), output.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void Writer_refuses_a_message_over_the_send_limit_with_grpc_go_text()
    {
        var error = Assert.Throws<GrpcException>(() => GrpcMessageWriter.MeasureForSend(new StringValue { Value = "12345" }, 3));

        Assert.Equal(GrpcStatusCode.ResourceExhausted, error.Code);
        Assert.Equal("grpc: trying to send message larger than max (7 vs. 3)", error.Detail);
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }
}
