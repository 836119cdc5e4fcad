using System.IO.Compression;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.Tensors;

namespace Nabla.Tests.Data.Text;

public class TextVectorizationTests
{
    private static readonly string[] Train = ["The cat sat.", "The cat ran!", "A dog ran far, far away"];

    [Fact]
    public void Transform_pads_to_the_longest_row_or_a_fixed_length()
    {
        var v = new TextVectorization();
        v.Adapt(Train);
        Assert.Equal(["", "[UNK]", "cat", "far", "ran", "the", "a", "away", "dog", "sat"], v.Vocabulary.Tokens);
        var ids = v.Transform(["the cat", "dog and cat ran far"]);
        Assert.Equal(new Shape(2, 5), ids.Shape);
        Assert.Equal([5f, 2, 0, 0, 0, 8, 1, 2, 4, 3], ids.ToArray());

        var fixedLength = new TextVectorization(outputSequenceLength: 3);
        fixedLength.Adapt(Train);
        Assert.Equal([5f, 2, 0, 8, 1, 2], fixedLength.Transform(["the cat", "dog and cat ran far"]).ToArray());
        Assert.Equal([0f, 0, 0], fixedLength.Transform(["?!"]).ToArray());
    }

    [Fact]
    public void Json_round_trip_keeps_settings_and_vocabulary()
    {
        var v = new TextVectorization(maxTokens: 6, minCount: 1, removeStopWords: true, ngrams: 2, outputSequenceLength: 7);
        v.Adapt(Train);
        var json = v.ToJson();
        Assert.DoesNotContain('\n', json);
        var back = TextVectorization.FromJson(json);
        Assert.Equal(v.Vocabulary.Tokens, back.Vocabulary.Tokens);
        Assert.Equal((6, 1, true, 2, 7), (back.MaxTokens!.Value, back.MinCount, back.Tokenizer.RemoveStopWords, back.Tokenizer.NGrams, back.OutputSequenceLength!.Value));
        Assert.Equal(v.Transform(Train).ToArray(), back.Transform(Train).ToArray());
    }

    [Fact]
    public void Malformed_json_is_a_data_format_error_naming_the_problem()
    {
        Assert.Contains("format", Assert.Throws<DataFormatException>(() => TextVectorization.FromJson("{}")).Message);
        Assert.Contains("min_count", Assert.Throws<DataFormatException>(() =>
            TextVectorization.FromJson("{\"format\":\"nabla.text_vectorization\",\"version\":1,\"standardize\":\"lower_and_strip_punctuation\",\"split\":\"whitespace\",\"stop_words\":null,\"ngrams\":1,\"max_tokens\":null,\"output_sequence_length\":null,\"vocabulary\":[]}")).Message);
        Assert.Throws<DataFormatException>(() => TextVectorization.FromJson("not json"));
        Assert.Throws<InvalidOperationException>(() => new TextVectorization().Encode("x"));
    }

    [Fact]
    public void Text_dataset_pads_each_batch_to_its_longest_row()
    {
        var data = new TextDataset([[4, 5], [6], [7, 8, 9, 10]], Tensor.FromArray([0f, 1, 2]));
        var batch = data.Gather([1, 0]);
        Assert.Equal(new Shape(2, 2), batch.Inputs.Shape);
        Assert.Equal([6f, 0, 4, 5], batch.Inputs.ToArray());
        Assert.Equal([1f, 0], batch.Targets.ToArray());
        var fixedWidth = new TextDataset([[4, 5], [6], [7, 8, 9, 10]], Tensor.FromArray([0f, 1, 2]), sequenceLength: 3);
        Assert.Equal([7f, 8, 9], fixedWidth.Gather([2]).Inputs.ToArray());
    }

    [Fact]
    public void Appstream_vocabulary_from_the_training_rows_is_deterministic_and_covers_most_test_tokens()
    {
        var texts = ReadColumn(TestData.Path_("appstream-categories.tsv.gz"), "text");
        Assert.Equal(2017, texts.Count);
        var order = Enumerable.Range(0, texts.Count).ToArray();
        new Rng(0).Shuffle(order.AsSpan());
        var train = order.Take(1613).Select(i => texts[i]).ToList();
        var test = order.Skip(1613).Select(i => texts[i]).ToList();

        var v = new TextVectorization(maxTokens: 20_000);
        v.Adapt(train);
        var again = new TextVectorization(maxTokens: 20_000);
        again.Adapt(train);
        Assert.Equal(v.Vocabulary.Tokens, again.Vocabulary.Tokens);
        // English descriptions: the commonest words lead, and the vocabulary is in the thousands.
        Assert.Equal(["and", "the", "a", "to", "of"], v.Vocabulary.Tokens.Skip(2).Take(5));
        Assert.InRange(v.Vocabulary.Count, 10_000, 20_000);
        var ids = v.Transform(test).ToArray();
        double real = ids.Count(x => x != 0), oov = ids.Count(x => x == 1);
        Assert.InRange(oov / real, 0.01, 0.10);

        var stop = new TextVectorization(maxTokens: 20_000, removeStopWords: true);
        stop.Adapt(train);
        Assert.DoesNotContain("the", stop.Vocabulary.Tokens);
        Assert.Contains("game", stop.Vocabulary.Tokens.Skip(2).Take(50));
    }

    /// <summary>One column of a gzipped TSV file with a header line.</summary>
    internal static List<string> ReadColumn(string path, string column) => ReadColumns(path, column).Select(r => r[0]).ToList();

    /// <summary>Some columns of a gzipped TSV file with a header line, row by row.</summary>
    internal static List<string[]> ReadColumns(string path, params string[] columns)
    {
        using var file = File.OpenRead(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var header = reader.ReadLine()!.Split('\t');
        var at = columns.Select(c => Array.IndexOf(header, c)).ToArray();
        Assert.True(at.All(c => c >= 0), $"{path} lacks one of the columns {string.Join(", ", columns)}");
        var rows = new List<string[]>();
        while (reader.ReadLine() is { } line)
        {
            var cells = line.Split('\t');
            rows.Add([.. at.Select(c => cells[c])]);
        }
        return rows;
    }
}
