using System.IO.Compression;
using System.Text;
using Nabla.Data;
using Nabla.Data.Text;

namespace Nabla.Tests.Data.Text;

public sealed class LabeledTextTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-text-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        string p = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(p, text, new UTF8Encoding(false));
        return p;
    }

    private static string Rows(int n, Func<int, string> row) => string.Concat(Enumerable.Range(0, n).Select(i => row(i) + "\n"));

    [Fact]
    public void A_tsv_with_a_label_separator_loads_as_multi_label_text_split_80_20()
    {
        string path = File("apps.tsv", "id\tcategories\ttext\n" + Rows(50, i => $"app{i}\t{(i % 2 == 0 ? "Game" : "Office")};{(i % 5 == 0 ? "Network" : "Utility")}\tword{i} {(i % 2 == 0 ? "play" : "write")} text"));
        var data = DataSpec.Load("text:" + path, new DataOptions { TextColumn = "text", Label = "categories", LabelSeparator = ";", Seed = 3 });
        Assert.Equal(TaskKind.MultiLabel, data.Task);
        Assert.Equal(["Game", "Network", "Office", "Utility"], data.ClassNames);
        Assert.Equal((40, 10), (data.Train.Count, data.Test.Count));
        Assert.Equal("text", data.TextColumn);
        Assert.Equal(["categories"], data.LabelColumns);
        var train = Assert.IsType<TextDataset>(data.Train);
        var test = Assert.IsType<TextDataset>(data.Test);
        // The vocabulary comes from the training rows only: each row's own word{i} is unknown in the test part.
        var vocabulary = data.Vectorizer!.Vocabulary;
        Assert.All(train.Texts!, t => Assert.True(vocabulary.Contains(t.Split(' ')[0])));
        Assert.All(test.Texts!, t => Assert.False(vocabulary.Contains(t.Split(' ')[0])));
        Assert.Equal(Vocabulary.OovIndex, test.Row(0)[0]);
    }

    [Fact]
    public void The_split_depends_on_the_row_count_and_seed_only_so_texts_of_the_training_part_can_be_read_without_labels()
    {
        string path = File("d.csv", "label,other,description\n" + Rows(30, i => $"{i % 3},{i % 7},text number {i}"));
        var a = DataSpec.Load("text:" + path, new DataOptions { TextColumn = "description", Label = "label", Seed = 5 });
        var b = DataSpec.Load("text:" + path, new DataOptions { TextColumn = "description", Label = "other", Seed = 5 });
        Assert.Equal(((TextDataset)a.Test).Texts, ((TextDataset)b.Test).Texts);
        var texts = LabeledText.ReadTexts(path, "description");
        var (train, _) = LabeledText.Split(texts.Length, new DataOptions { Seed = 5 });
        Assert.Equal(((TextDataset)a.Train).Texts, train.Select(i => texts[i]));
    }

    [Fact]
    public void Rows_with_an_empty_text_are_skipped_and_reported_with_their_lines()
    {
        string path = File("e.tsv", "y\ttext\n" + Rows(12, i => $"{i % 2}\t{(i is 3 or 7 ? "  " : $"some words {i}")}"));
        var data = DataSpec.Load("text:" + path, new DataOptions { TextColumn = "text", Label = "y" });
        Assert.Equal(10, data.Train.Count + data.Test.Count);
        Assert.Equal($"{path}: skipped 2 row(s) whose text cell 'text' is empty (lines 5, 9)", Assert.Single(data.Warnings));
    }

    [Fact]
    public void Csv_cells_may_be_quoted_and_tsv_cells_are_literal()
    {
        string csv = File("q.csv", "text,label\n\"Hello, world\",a\n\"He said \"\"hi\"\"\",b\nplain,a\n");
        var table = TextTable.Read(csv);
        Assert.Equal(["Hello, world", "He said \"hi\"", "plain"], table.Rows.Select(r => r[0]));
        string tsv = File("q.tsv", "text\tlabel\n\"quoted\" words\ta\n");
        Assert.Equal("\"quoted\" words", TextTable.Read(tsv).Rows[0][0]);
        Assert.Equal('\t', TextTable.DelimiterOf("x.tsv.gz"));
        Assert.Throws<DataSpecException>(() => TextTable.DelimiterOf("x.txt"));
        var e = Assert.Throws<DataFormatException>(() => TextTable.Read(File("open.csv", "text,label\n\"never closed,a\n")));
        Assert.Contains("open.csv:2: a quoted cell is not closed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_given_delimiter_replaces_the_one_the_extension_sets()
    {
        string path = File("pipes.txt", "label|text\n" + Rows(10, i => $"{i % 2}|words, with commas {i}"));
        Assert.Throws<DataSpecException>(() => DataSpec.Load("text:" + path, new DataOptions { TextColumn = "text", Label = "label" }));
        var data = DataSpec.Load("text:" + path, new DataOptions { TextColumn = "text", Label = "label", Delimiter = '|' });
        Assert.Equal(10, data.Train.Count + data.Test.Count);
        Assert.All(((TextDataset)data.Train).Texts!, t => Assert.StartsWith("words, with commas", t, StringComparison.Ordinal));
    }

    [Fact]
    public void Gzipped_files_are_read()
    {
        string path = Path.Combine(_dir, "z.tsv.gz");
        using (var gz = new GZipStream(System.IO.File.Create(path), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes("label\ttext\n" + Rows(10, i => $"{i % 2}\tgzip text {i}")));
        var data = DataSpec.Load("text:" + path, new DataOptions { TextColumn = "text", Label = "label" });
        Assert.Equal(10, data.Train.Count + data.Test.Count);
    }

    [Fact]
    public void Missing_columns_are_named_with_the_columns_that_exist()
    {
        string path = File("m.tsv", "id\tsection\tdescription\n" + Rows(6, i => $"p{i}\ts{i % 2}\twords {i}"));
        var e = Assert.Throws<DataSpecException>(() => DataSpec.Load("text:" + path, new DataOptions { TextColumn = "text", Label = "section" }));
        Assert.Equal($"{path}: text column 'text' does not exist (columns: id, section, description)", e.Message);
        e = Assert.Throws<DataSpecException>(() => DataSpec.Load("text:" + path, new DataOptions { TextColumn = "description", Label = "category" }));
        Assert.Equal($"{path}: label column 'category' does not exist (columns: id, section, description)", e.Message);
        e = Assert.Throws<DataSpecException>(() => DataSpec.Load("text:" + path, new DataOptions { Label = "section" }));
        Assert.Contains("the columns are id, section, description", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<DataSpecException>(() => DataSpec.Load("csv:" + path, new DataOptions { TextColumn = "description" }));
        Assert.Contains("applies to text:PATH data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_refused_naming_the_line()
    {
        string path = Path.Combine(_dir, "latin1.tsv");
        var bytes = new List<byte>(Encoding.UTF8.GetBytes("label\ttext\n0\tfine\n1\tcaf"));
        bytes.Add(0xE9); // 'é' in Latin-1
        bytes.AddRange(Encoding.UTF8.GetBytes(" au lait\n"));
        System.IO.File.WriteAllBytes(path, [.. bytes]);
        var e = Assert.Throws<DataFormatException>(() => DataSpec.Load("text:" + path, new DataOptions { TextColumn = "text", Label = "label" }));
        Assert.StartsWith($"{path}:3:", e.Message, StringComparison.Ordinal);
        Assert.Contains("not valid UTF-8 (byte 0xE9)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appstream_categories_load_with_134_labels()
    {
        var data = DataSpec.Load("text:" + TestData.Path_("appstream-categories.tsv.gz"),
            new DataOptions { TextColumn = "text", Label = "categories", LabelSeparator = ";" });
        Assert.Equal(2017, data.Train.Count + data.Test.Count);
        Assert.Equal(133, data.ClassNames.Count); // scikit-learn's MultiLabelBinarizer counts the empty label of a trailing ";" as a 134th
        Assert.Equal(TaskKind.MultiLabel, data.Task);
        Assert.Empty(data.Warnings);
    }
}
