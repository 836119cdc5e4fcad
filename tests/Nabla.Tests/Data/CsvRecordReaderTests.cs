using Nabla.Data;

namespace Nabla.Tests.Data;

/// <summary>RFC 4180 reading (<see cref="CsvRecordReader"/>): quoting, line breaks, errors with file:line:column, the record limit.</summary>
public sealed class CsvRecordReaderTests
{
    private static List<CsvRecord> Read(string text, char delimiter = ',', int max = CsvRecordReader.DefaultMaxRecordLength) =>
        CsvRecordReader.ReadAll(new StringReader(text), "t.csv", delimiter, max);

    [Fact]
    public void Quoted_fields_hold_delimiters_doubled_quotes_and_line_breaks()
    {
        var r = Read("\"label\",\"a, b\", c \r\n\"say \"\"hi\"\"\",\"two\nlines\",3\r\n\n  \n4,\"\",\"x\"  \n");
        Assert.Equal(3, r.Count);
        Assert.Equal(["label", "a, b", "c"], r[0].Cells);
        Assert.Equal(1, r[0].Line);
        Assert.Equal(["say \"hi\"", "two\nlines", "3"], r[1].Cells);
        Assert.Equal(2, r[1].Line);
        Assert.Equal(["4", "", "x"], r[2].Cells); // after a quoted line break, two blank lines: line 6
        Assert.Equal(6, r[2].Line);
    }

    [Fact]
    public void Tabs_separate_fields_and_a_quote_inside_an_unquoted_field_is_a_character()
    {
        var r = Read("a\tb c\t5\"\n", '\t');
        Assert.Equal(["a", "b c", "5\""], r.Single().Cells);
        Assert.Equal(["a", "", ""], Read("a,,\n").Single().Cells);
        Assert.Equal(["x", "y"], Read("x,y").Single().Cells); // no final line break
        Assert.Empty(Read(""));
    }

    [Theory]
    [InlineData("a,b\n\"open,c\n", "t.csv:2:1: a quoted field starts here and is never closed")]
    [InlineData("a,\"b\"c,d\n", "t.csv:1:2: 'c' after the closing quote of a quoted field")]
    [InlineData("a,b\nc,\0\n", "t.csv:2:2: a NUL character: this is binary data, not a text table")]
    public void Malformed_text_is_an_error_naming_line_and_column(string text, string message) =>
        Assert.StartsWith(message, Assert.Throws<DataFormatException>(() => Read(text)).Message);

    [Fact]
    public void A_record_over_the_limit_is_refused_without_reading_it_whole()
    {
        var e = Assert.Throws<DataFormatException>(() => Read("short,line\n" + new string('9', 100) + "\n", max: 50));
        Assert.Equal("t.csv:2:1: the record is longer than 50 characters, the most one CSV line may hold (is this a text table?)", e.Message);
        // A quote never closed runs into the limit too, instead of swallowing the file.
        Assert.Contains("longer than 50 characters", Assert.Throws<DataFormatException>(() => Read("\"" + new string('x', 200), max: 50)).Message);
        Assert.Single(Read(new string('1', 50), max: 50));
    }

    [Fact]
    public void The_delimiter_follows_the_file_name()
    {
        Assert.Equal('\t', CsvReader.DefaultDelimiter("a/b.TSV"));
        Assert.Equal('\t', CsvReader.DefaultDelimiter("b.tab.gz"));
        Assert.Equal(',', CsvReader.DefaultDelimiter("b.csv.gz"));
        Assert.Equal(',', CsvReader.DefaultDelimiter("b.txt"));
    }
}
