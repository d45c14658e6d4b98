using Cairn.Server.Configuration.Syntax;
using Cairn.Server.Logging;

namespace Cairn.Server.Tests.Configuration;

public class GoSyntaxTests
{
    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("100", 100UL)]
    [InlineData("0x1f", 31UL)]
    [InlineData("0X1F", 31UL)]
    [InlineData("0o17", 15UL)]
    [InlineData("017", 15UL)]
    [InlineData("0b101", 5UL)]
    [InlineData("1_000_000", 1000000UL)]
    [InlineData("0x_ff", 255UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void Unsigned_integers_accept_what_strconv_ParseUint_with_base_0_accepts(string text, ulong expected)
    {
        Assert.Equal(GoNumberError.None, GoInteger.TryParseUnsigned(text, 64, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("", GoNumberError.Syntax)]
    [InlineData("-1", GoNumberError.Syntax)]
    [InlineData("+1", GoNumberError.Syntax)]
    [InlineData("1.5", GoNumberError.Syntax)]
    [InlineData("abc", GoNumberError.Syntax)]
    [InlineData("08", GoNumberError.Syntax)]
    [InlineData("0x", GoNumberError.Syntax)]
    [InlineData("1__0", GoNumberError.Syntax)]
    [InlineData("_10", GoNumberError.Syntax)]
    [InlineData("10_", GoNumberError.Syntax)]
    [InlineData(" 1", GoNumberError.Syntax)]
    [InlineData("18446744073709551616", GoNumberError.Range)]
    public void Unsigned_integers_refuse_like_strconv(string text, GoNumberError expected) =>
        Assert.Equal(expected, GoInteger.TryParseUnsigned(text, 64, out _));

    [Fact]
    public void Uint32_overflows_at_2_to_the_32() =>
        Assert.Equal(GoNumberError.Range, GoInteger.TryParseUnsigned("4294967296", 32, out _));

    [Theory]
    [InlineData("-5", -5L)]
    [InlineData("+5", 5L)]
    [InlineData("-0x10", -16L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void Signed_integers_take_a_sign(string text, long expected)
    {
        Assert.Equal(GoNumberError.None, GoInteger.TryParseSigned(text, 64, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    public void Signed_integers_report_range_errors(string text) =>
        Assert.Equal(GoNumberError.Range, GoInteger.TryParseSigned(text, 64, out _));

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("T", true)]
    [InlineData("TRUE", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("f", false)]
    [InlineData("FALSE", false)]
    [InlineData("False", false)]
    public void Booleans_are_strconv_ParseBool(string text, bool expected)
    {
        Assert.True(GoBool.TryParse(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("tRue")]
    [InlineData("")]
    public void Booleans_refuse_yaml_words(string text) => Assert.False(GoBool.TryParse(text, out _));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("5s", 5_000_000_000L)]
    [InlineData("2h", 7_200_000_000_000L)]
    [InlineData("100ms", 100_000_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData(".5s", 500_000_000L)]
    [InlineData("1h30m", 5_400_000_000_000L)]
    [InlineData("10us", 10_000L)]
    [InlineData("10\u00b5s", 10_000L)]
    [InlineData("10\u03bcs", 10_000L)]
    [InlineData("3ns", 3L)]
    [InlineData("-1m", -60_000_000_000L)]
    [InlineData("+0", 0L)]
    public void Durations_are_time_ParseDuration(string text, long nanoseconds)
    {
        Assert.Null(GoDuration.TryParseNanoseconds(text, out var value));
        Assert.Equal(nanoseconds, value);
    }

    [Theory]
    [InlineData("5", "time: missing unit in duration \"5\"")]
    [InlineData("-1", "time: missing unit in duration \"-1\"")]
    [InlineData("5x", "time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData("9999999999h", "time: invalid duration \"9999999999h\"")]
    public void Duration_errors_carry_Go_time_package_text(string text, string error) =>
        Assert.Equal(error, GoDuration.TryParseNanoseconds(text, out _));

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1L, "1ns")]
    [InlineData(1_500L, "1.5\u00b5s")]
    [InlineData(2_282_999L, "2.282999ms")]
    [InlineData(100_000_000L, "100ms")]
    [InlineData(1_000_000_000L, "1s")]
    [InlineData(7_000_000_000L, "7s")]
    [InlineData(60_000_000_000L, "1m0s")]
    [InlineData(7_200_000_000_000L, "2h0m0s")]
    [InlineData(3_723_500_000_000L, "1h2m3.5s")]
    [InlineData(-1_000_000_000L, "-1s")]
    public void Durations_print_as_Go_time_Duration_String(long nanoseconds, string expected) =>
        Assert.Equal(expected, GoDurationText.Format(nanoseconds));

    [Theory]
    [InlineData("http://localhost:2379", "http://localhost:2379", "localhost", 2379)]
    [InlineData(" http://127.0.0.1:2379 ", "http://127.0.0.1:2379", "127.0.0.1", 2379)]
    [InlineData("HTTP://a:1", "http://a:1", "a", 1)]
    [InlineData("http://[::1]:2380", "http://[::1]:2380", "::1", 2380)]
    [InlineData("https://etcd1.vagrant:2379", "https://etcd1.vagrant:2379", "etcd1.vagrant", 2379)]
    [InlineData("unix://localhost:12345", "unix://localhost:12345", "localhost", 12345)]
    [InlineData("http://:2379", "http://:2379", "", 2379)]
    public void Urls_parse_as_etcd_NewURLs(string text, string canonical, string host, int port)
    {
        Assert.Null(GoUrl.TryParseOne(text, out var url));
        Assert.Equal(canonical, url!.ToString());
        Assert.Equal(host, url.Host);
        Assert.Equal(port, url.Port);
    }

    [Theory]
    [InlineData("http://localhost:2379/path", "URL must not contain a path: http://localhost:2379/path")]
    [InlineData("ftp://localhost:2379", "URL scheme must be http, https, unix, or unixs: ftp://localhost:2379")]
    [InlineData("localhost:2379", "URL scheme must be http, https, unix, or unixs: localhost:2379")]
    [InlineData("", "URL scheme must be http, https, unix, or unixs: ")]
    [InlineData("http://localhost", "URL address does not have the form \"host:port\": http://localhost")]
    [InlineData("127.0.0.1:2379", "parse \"127.0.0.1:2379\": first path segment in URL cannot contain colon")]
    [InlineData("http://localhost:abc", "parse \"http://localhost:abc\": invalid port \":abc\" after host")]
    [InlineData("http://[::1:2379", "parse \"http://[::1:2379\": missing ']' in host")]
    [InlineData(":2379", "parse \":2379\": missing protocol scheme")]
    public void Url_errors_match_etcd(string text, string error) => Assert.Equal(error, GoUrl.TryParseOne(text, out _));

    [Fact]
    public void Url_lists_are_sorted_as_etcd_sorts_them()
    {
        Assert.Null(GoUrl.TryParseList(["http://b:1", "http://a:1"], out var urls));
        Assert.Equal(["http://a:1", "http://b:1"], urls.Select(u => u.ToString()));
    }

    [Theory]
    [InlineData("abc", "\"abc\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("tab\there\n", "\"tab\\there\\n\"")]
    [InlineData("\u0001", "\"\\x01\"")]
    [InlineData("héllo", "\"héllo\"")]
    public void Quoting_is_Go_percent_q(string text, string quoted) => Assert.Equal(quoted, GoQuote.Quote(text));

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("localhost", false)]
    [InlineData("1", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("256.0.0.1", false)]
    [InlineData("example.com", false)]
    [InlineData("", false)]
    public void Ip_addresses_are_what_Go_net_ParseIP_takes(string host, bool isIp) => Assert.Equal(isIp, GoIp.IsIp(host));
}
