using System.Globalization;
using System.Text;
using Nabla.Tensors;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary>
/// Sequence-to-sequence training and generation through the command line, end to end:
/// <c>nabla train --data pairs:… --model "seq2seq(…)"</c> on generated date pairs, <c>inspect</c>,
/// <c>generate</c> on raw text (greedy and beam search), and every bad input as one line with exit 2.
/// The full date task (20 formats, 20,000 pairs) is measured in docs/benchmarks.md.
/// </summary>
public sealed class Seq2SeqCliTests : IClassFixture<Seq2SeqCliTests.TrainedModel>
{
    private readonly TrainedModel _trained;

    public Seq2SeqCliTests(TrainedModel trained) => _trained = trained;

    /// <summary>Written dates "05.11.1987" → ISO "1987-11-05", distinct and seeded (a small copy of samples/DateTranslation's idea, one format, so it learns in seconds).</summary>
    internal static List<(string Source, string Target)> Dates(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pairs = new List<(string, string)>();
        var first = new DateTime(1950, 1, 1);
        while (pairs.Count < count)
        {
            var d = first.AddDays((int)(rng.NextDouble() * 36_500));
            string source = d.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
            if (seen.Add(source)) pairs.Add((source, d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        }
        return pairs;
    }

    internal static string Tsv(IEnumerable<(string Source, string Target)> pairs)
    {
        var sb = new StringBuilder("written\tiso\n");
        foreach (var (s, t) in pairs) sb.Append(s).Append('\t').Append(t).Append('\n');
        return sb.ToString();
    }

    /// <summary>One model trained once for the tests of this class (about 2 s of CPU on one thread).</summary>
    public sealed class TrainedModel : IDisposable
    {
        public TrainedModel()
        {
            Dir = Directory.CreateTempSubdirectory("nabla-seq2seqcli-").FullName;
            Data = Path.Combine(Dir, "dates.tsv");
            File.WriteAllText(Data, Tsv(Dates(1000, seed: 7)));
            Model = Path.Combine(Dir, "dates.safetensors");
            Summary = Ok("train", "--data", "pairs:" + Data, "--source", "written", "--target", "iso",
                "--model", "seq2seq(d=32,heads=2,layers=1,ff=64,dropout=0)", "--epochs", "12", "--lr", "0.005",
                "--threads", "1", "--out", Model, "--json");
        }

        public string Dir { get; }

        public string Data { get; }

        public string Model { get; }

        public string Summary { get; }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    [Fact]
    public void Training_on_date_pairs_reaches_a_high_exact_match_and_reports_it_in_json()
    {
        var lines = JsonLines(_trained.Summary);
        Assert.Equal(13, lines.Count); // 12 epochs and the summary
        Assert.True(lines[0].TryGetProperty("val_accuracy", out _));
        var summary = lines[^1];
        Assert.Equal("seq2seq", summary.GetProperty("task").GetString());
        Assert.StartsWith("seq2seq(d=32,heads=2,layers=1,ff=64,dropout=0,src_vocab=", summary.GetProperty("architecture").GetString(), StringComparison.Ordinal);
        // One format is a permutation of characters, learnt almost perfectly (0.96–1.0 exact match over settings tried by hand).
        double exact = summary.GetProperty("test_exact_match").GetDouble();
        Assert.True(exact >= 0.9, $"test exact match {exact:F4} < 0.9: {summary}");
        Assert.True(summary.GetProperty("test_token_accuracy").GetDouble() >= 0.97);
        Assert.True(summary.GetProperty("train_loss").GetDouble() < lines[0].GetProperty("loss").GetDouble());
    }

    [Fact]
    public void Generate_rewrites_new_dates_from_raw_text_greedily_and_with_beam_search()
    {
        var fresh = Dates(1040, seed: 7).Skip(1000).ToList(); // the generator's next 40 dates: never seen in training
        string plain = Path.Combine(_trained.Dir, "fresh.txt");
        File.WriteAllText(plain, string.Join('\n', fresh.Select(p => p.Source)) + "\n");
        foreach (var extra in new[] { Array.Empty<string>(), ["--beam", "3"] })
        {
            var outputs = Ok(["generate", "--model", _trained.Model, "--input", plain, .. extra]).Split('\n')[..^1];
            Assert.Equal(fresh.Count, outputs.Length);
            int right = fresh.Zip(outputs).Count(p => p.First.Target == p.Second);
            Assert.True(right >= 36, $"{right} of {fresh.Count} dates rewritten correctly ({string.Join(' ', extra)}): "
                + string.Join(", ", fresh.Zip(outputs).Where(p => p.First.Target != p.Second).Select(p => $"{p.First.Source} → {p.Second}")));
        }
        // A table: the source column the model was trained on, other columns ignored; one output per row.
        string table = Path.Combine(_trained.Dir, "fresh.tsv");
        File.WriteAllText(table, "id\twritten\n1\t" + fresh[0].Source + "\n2\t" + fresh[1].Source + "\n");
        Assert.Equal(2, Ok("generate", "--model", _trained.Model, "--input", table).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\d\n$", Ok("generate", "--model", _trained.Model, "--text", fresh[2].Source));
    }

    [Fact]
    public void Inspect_describes_the_seq2seq_model_its_vocabularies_and_history()
    {
        string text = Ok("inspect", _trained.Model);
        Assert.Contains("task          seq2seq", text, StringComparison.Ordinal);
        Assert.Contains("source        written: 15 char tokens", text, StringComparison.Ordinal);
        Assert.Contains("Transformer", text, StringComparison.Ordinal);
        Assert.Contains("history       12 epochs", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Generation_refuses_an_unknown_character_naming_it_and_its_position()
    {
        AssertUserError(Run("generate", "--model", _trained.Model, "--text", "05.1x.1987"), "--text: unknown character 'x' (U+0078) at position 5");
        string plain = Path.Combine(_trained.Dir, "odd.txt");
        File.WriteAllText(plain, "05.11.1987\n05/11/1987\n");
        AssertUserError(Run("generate", "--model", _trained.Model, "--input", plain), "odd.txt:2: unknown character '/'");
    }

    [Fact]
    public void Generation_refuses_a_prompt_longer_than_the_positional_table()
    {
        string longest = string.Concat(Enumerable.Repeat("05.11.1987", 4));
        AssertUserError(Run("generate", "--model", _trained.Model, "--text", longest), "--text: 40 char tokens, longer than the model's positional table of 32 positions");
        AssertUserError(Run("generate", "--model", _trained.Model, "--text", "05.11.1987", "--max-length", "99"), "--max-length must be 1..32");
    }

    [Theory]
    [InlineData(new string[0], "give the inputs: --text \"…\" or --input FILE")]
    [InlineData(new[] { "--text", "05.11.1987", "--input", "x.txt" }, "give --text or --input, not both")]
    [InlineData(new[] { "--text", "05.11.1987", "--source", "written" }, "--source names a column of --input FILE")]
    [InlineData(new[] { "--text", "05.11.1987", "--beam", "0" }, "--beam must be at least 1")]
    public void Generate_options_that_do_not_fit_are_one_line(string[] args, string message) =>
        AssertUserError(Run(["generate", "--model", _trained.Model, .. args]), message);

    [Fact]
    public void A_model_that_is_not_seq2seq_is_refused_by_generate_and_a_seq2seq_model_by_predict()
    {
        string iris = Path.Combine(_trained.Dir, "iris.safetensors");
        Ok("train", "--data", "iris", "--epochs", "1", "--out", iris, "--json");
        AssertUserError(Run("generate", "--model", iris, "--text", "x"), "is a multiclass model");
        AssertUserError(Run("predict", "--model", _trained.Model, "--input", _trained.Data), "a sequence-to-sequence model");
        AssertUserError(Run("train", "--resume", _trained.Model), "a sequence-to-sequence model");
    }

    [Fact]
    public void Bad_pairs_data_is_one_line_naming_the_problem()
    {
        string pairs = "pairs:" + _trained.Data;
        AssertUserError(Run("train", "--data", pairs, "--source", "written", "--target", "isodate"), "target column 'isodate' does not exist (columns: written, iso)");
        AssertUserError(Run("train", "--data", pairs, "--target", "iso"), "name the source column; the columns are written, iso");
        AssertUserError(Run("train", "--data", pairs, "--source", "written", "--target", "written"), "cannot be both the source and the target");
        AssertUserError(Run("train", "--data", pairs, "--source", "written", "--target", "iso", "--tokens", "bytes"), "--tokens takes char or word");
        AssertUserError(Run("train", "--data", pairs, "--source", "written", "--target", "iso", "--model", "dense(8)"), "pairs: data trains a sequence-to-sequence model");
        AssertUserError(Run("train", "--data", pairs, "--source", "written", "--target", "iso", "--model", "seq2seq(d=30,heads=4)"), "heads=4 does not divide d=30");
        AssertUserError(Run("train", "--data", pairs, "--source", "written", "--target", "iso", "--model", "seq2seq(d=32,max=8)"), "exceed the positional table of 8 positions");
        AssertUserError(Run("train", "--data", pairs, "--source", "written", "--target", "iso", "--l2", "0.1"), "--l2 does not apply to sequence-to-sequence training");
        AssertUserError(Run("train", "--data", "iris", "--model", "seq2seq(d=32)"), "trains on pairs: data");
        AssertUserError(Run("train", "--data", "iris", "--source", "a"), "--source applies to pairs: data, not iris");
        string empty = Path.Combine(_trained.Dir, "empty.tsv");
        File.WriteAllText(empty, "");
        AssertUserError(Run("train", "--data", "pairs:" + empty, "--source", "written", "--target", "iso"), "empty.tsv");
        File.WriteAllText(empty, "written\tiso\n05.11.1987\t\n");
        AssertUserError(Run("train", "--data", "pairs:" + empty, "--source", "written", "--target", "iso"), "0 row(s) with both a source ('written') and a target ('iso')");
    }
}
