namespace Nabla.Tests.Reliability;

/// <summary><see cref="Printable"/>: what a message may echo from a file reaches the terminal as visible text.</summary>
public sealed class PrintableTests
{
    [Theory]
    [InlineData("plain text, ünïcödé, 日本", "plain text, ünïcödé, 日本")]
    [InlineData("\u001b[31mred\u001b[0m", "\\x1B[31mred\\x1B[0m")]
    [InlineData("a\nb\rc\td", "a\\nb\\rc\\td")]
    [InlineData("bell\u0007 del\u007f c1\u009b", "bell\\x07 del\\x7F c1\\x9B")]
    [InlineData("rtl\u202eevil", "rtl\\u202Eevil")]
    [InlineData("pair 😀 ok", "pair 😀 ok")]
    public void Escape_makes_control_and_format_characters_visible(string text, string expected) =>
        Assert.Equal(expected, Printable.Escape(text));

    [Fact]
    public void A_lone_surrogate_is_escaped_and_a_pair_is_kept() =>
        Assert.Equal("lone \\uD800 \\uDC00 😀", Printable.Escape("lone " + (char)0xD800 + " " + (char)0xDC00 + " 😀"));

    [Fact]
    public void Quote_cuts_long_values_and_says_how_long_they_were()
    {
        Assert.Equal("'x\\x1B'", Printable.Quote("x\u001b"));
        string q = Printable.Quote(new string('a', 5000));
        Assert.Equal($"'{new string('a', Printable.MaxQuotedLength)}…' (5,000 characters)", q);
    }

    [Fact]
    public void MessageOf_drops_the_parameter_name_and_keeps_one_line()
    {
        Assert.Equal("bad value", Printable.MessageOf(new ArgumentException("bad value", "units")));
        Assert.Equal("first", Printable.MessageOf(new InvalidOperationException("first\nsecond")));
    }
}
