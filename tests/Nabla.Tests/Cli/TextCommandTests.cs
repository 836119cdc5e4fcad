using System.Globalization;
using System.Text;
using Nabla.IO;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla train/predict/evaluate/inspect/embed</c> on <c>text:</c> data (small generated corpora; real data in TextRealDataTests).</summary>
public sealed class TextCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-textcli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string File(string name, string text)
    {
        System.IO.File.WriteAllText(P(name), text, new UTF8Encoding(false));
        return P(name);
    }

    private static readonly string[][] Topics =
    [
        ["game", "play", "puzzle", "arcade", "level", "score"],
        ["math", "physics", "plot", "data", "equation", "science"],
        ["web", "browser", "mail", "network", "http", "server"],
    ];

    private static readonly string[] Filler = ["the", "a", "tool", "for", "and", "with", "simple", "fast", "program"];

    /// <summary>A TSV <c>id, topics, text</c>: each text mixes words of its topics (one or two) with filler words.</summary>
    private string Corpus(string name, int rows, int seed = 1)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder("id\ttopics\ttext\n");
        for (int i = 0; i < rows; i++)
        {
            int a = rng.Next(3), b = rng.Next(4) == 0 ? (a + 1) % 3 : a;
            var words = new List<string>();
            for (int w = 0; w < 6; w++) words.Add(rng.Next(2) == 0 ? Filler[rng.Next(Filler.Length)] : Topics[w % 2 == 0 ? a : b][rng.Next(6)]);
            string labels = a == b ? $"T{a}" : $"T{a};T{b}";
            sb.Append(CultureInfo.InvariantCulture, $"r{i}\t{labels}\t{string.Join(' ', words)}.\n");
        }
        return File(name, sb.ToString());
    }

    private static string[] Common(string data) =>
        ["train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--label-separator", ";", "--epochs", "8", "--lr", "0.02", "--json"];

    [Fact]
    public void A_text_model_trains_saves_and_predicts_labels_from_raw_text()
    {
        string data = Corpus("topics.tsv", 400), model = P("m.safetensors");
        var summary = LastJson(Ok([.. Common(data), "--model", "embedding(16) gap1d dense(16,relu)", "--out", model]));
        Assert.True(summary.GetProperty("test_micro_f1").GetDouble() > 0.85, summary.ToString());

        var (_, info) = ModelFile.Load(model);
        Assert.Equal("text", info.TextColumn);
        Assert.Equal($"embedding(16,vocab={info.Vectorizer!.Vocabulary.Count}) gap1d dense(16,relu) dense(3)", info.Architecture);
        Assert.Equal(["T0", "T1", "T2"], info.Classes);

        // Other columns are ignored; an empty text and one of unknown words still get a prediction.
        string input = File("new.csv", "note,text\nx,\"Play the arcade puzzle, score a level\"\ny,an http browser for mail\nz,\nw,zzz qqq\n");
        var lines = Ok("predict", "--model", model, "--input", input).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("labels,p_T0,p_T1,p_T2", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Equal("T0", lines[1].Split(',')[0]);
        Assert.Equal("T2", lines[2].Split(',')[0]);

        var evaluation = LastJson(Ok("evaluate", "--model", model, "--json"));
        Assert.Equal(summary.GetProperty("test_micro_f1").GetDouble(), evaluation.GetProperty("test_micro_f1").GetDouble(), 12);

        string inspect = Ok("inspect", model);
        Assert.Contains($"text          column 'text', vocabulary {info.Vectorizer.Vocabulary.Count} tokens", inspect, StringComparison.Ordinal);
        Assert.Contains("ngrams 2", inspect, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_defaults_apply_when_the_options_are_left_out()
    {
        string data = Corpus("defaults.tsv", 120), model = P("d.safetensors");
        Ok("train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--label-separator", ";", "--epochs", "1", "--out", model, "--json");
        var (_, info) = ModelFile.Load(model);
        Assert.StartsWith("embedding(64,vocab=", info.Architecture, StringComparison.Ordinal);
        Assert.DoesNotContain("std=", info.Architecture, StringComparison.Ordinal);   // multi-label keeps N(0, 1) and a constant rate
        Assert.Equal(("0.03", "32", "2", "none"), (info.Extra["lr"], info.Extra["batch_size"], info.Extra["ngrams"], info.Extra["lr_schedule"]));
    }

    [Theory]
    [InlineData("embedding(8) bilstm(8)", "0.003", "adam")]
    [InlineData("embedding(8) posenc transformer(heads=2,ff=16) gap1d", "0.0005", "adam")]
    [InlineData("embedding(8) gap1d", "0.03", "sparseadam")]
    public void Sequence_models_get_their_own_learning_rate_and_optimizer_defaults(string spec, string lr, string optimizer)
    {
        string data = Corpus("seqdefaults.tsv", 120), model = P("s.safetensors");
        Ok("train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--label-separator", ";", "--epochs", "1",
            "--model", spec, "--out", model, "--json");
        var (_, info) = ModelFile.Load(model);
        Assert.Equal((lr, optimizer), (info.Extra["lr"], info.Extra["optimizer"]));
    }

    [Theory]
    [InlineData("embedding(8) gap1d", "0.1", "adagrad")]
    [InlineData("embedding(8) bilstm(8)", "0.003", "adam")]
    public void Single_label_text_defaults_to_a_small_embedding_and_a_rate_decayed_over_5_epochs(string spec, string lr, string optimizer)
    {
        // No --label-separator: each row's label string is one class (docs/benchmarks.md, the Debian section recipe).
        string data = Corpus("single.tsv", 120), model = P("c.safetensors");
        Ok("train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--model", spec, "--out", model, "--json");
        var (_, info) = ModelFile.Load(model);
        // lr0 is the starting rate; "lr" holds the rate the linear decay reached (η₀/100).
        Assert.Equal((lr, optimizer, "linear", "5"), (info.Extra["lr0"], info.Extra["optimizer"], info.Extra["lr_schedule"], info.Extra["epochs"]));
        Assert.StartsWith($"embedding(8,vocab={info.Vectorizer!.Vocabulary.Count},std=0.01) ", info.Architecture, StringComparison.Ordinal);
    }

    [Fact]
    public void A_resumed_text_model_continues_with_its_vocabulary_and_matches_one_run()
    {
        string data = Corpus("resume.tsv", 150);
        string[] common = ["train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--label-separator", ";", "--model", "embedding(8) gap1d dense(8,relu)", "--ngrams", "1", "--dropout", "0", "--json"];
        // Without dropout: a resumed run draws its dropout masks afresh (the layers' generators are not saved).
        string whole = P("whole.safetensors"), split = P("split.safetensors");
        Ok([.. common, "--epochs", "4", "--out", whole]);
        Ok([.. common, "--epochs", "2", "--out", split]);
        Ok("train", "--resume", split, "--epochs", "2", "--out", split, "--json");
        var a = Safetensors.Load(whole).Tensors;
        var b = Safetensors.Load(split).Tensors;
        foreach (var key in a.Keys) Assert.True(a[key].ToArray().SequenceEqual(b[key].ToArray()), $"weights {key} differ");
        AssertUserError(Run("train", "--resume", split, "--epochs", "1", "--ngrams", "2"), "--ngrams 2 contradicts");
        AssertUserError(Run("train", "--resume", split, "--epochs", "1", "--text", "id"), "--text id contradicts");
    }

    [Fact]
    public void Embed_trains_vectors_that_train_can_start_from_and_freeze()
    {
        string data = Corpus("corpus.tsv", 300), vectors = P("v.txt"), model = P("e.safetensors");
        var done = LastJson(Ok("embed", "--data", "text:" + data, "--text", "text", "--dim", "12", "--epochs", "2", "--min-count", "2", "--out", vectors, "--json"));
        Assert.Equal(300, done.GetProperty("texts").GetInt32());
        Assert.Equal($"{Topics.Sum(t => t.Length) + Filler.Length} 12", System.IO.File.ReadLines(vectors).First());

        // Only the training part of the seeded split: the 60 test rows stay unseen.
        var part = LastJson(Ok("embed", "--train-data", "text:" + data, "--text", "description,text", "--dim", "12", "--epochs", "1", "--out", P("w.txt"), "--json"));
        Assert.Equal(240, part.GetProperty("texts").GetInt32());

        string output = Ok("train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--label-separator", ";", "--model", "embedding(12) gap1d dense(8,relu)",
            "--ngrams", "1", "--embeddings", vectors, "--freeze-embeddings", "--epochs", "2", "--out", model);
        Assert.Contains("embeddings " + vectors + ": 27 vectors of 12; 27 of the 27 vocabulary tokens found", output, StringComparison.Ordinal);
        var (net, _) = ModelFile.Load(model);
        var table = net.StateDict()["0.weight"].ToArray();
        var words = System.IO.File.ReadLines(vectors).Skip(1).Select(l => l.Split(' ')).ToDictionary(p => p[0], p => p[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        var (_, info) = ModelFile.Load(model);
        int game = info.Vectorizer!.Vocabulary.IndexOf("game");
        Assert.Equal(words["game"], table.AsSpan(game * 12, 12).ToArray()); // frozen: still the file's vector
    }

    [Fact]
    public void Text_input_mistakes_are_one_line_user_errors()
    {
        string data = Corpus("bad.tsv", 60);
        AssertUserError(Run("train", "--data", "text:" + data, "--text", "body", "--label", "topics"), "text column 'body' does not exist (columns: id, topics, text)");
        AssertUserError(Run("train", "--data", "text:" + data, "--text", "text", "--label", "tags"), "label column 'tags' does not exist (columns: id, topics, text)");
        AssertUserError(Run("train", "--data", "text:" + data, "--label", "topics"), "name the column holding the texts (--text); the columns are id, topics, text");
        AssertUserError(Run("train", "--data", "text:" + P("x.txt"), "--text", "text"), "must be a .csv or .tsv file");
        AssertUserError(Run("train", "--data", "iris", "--ngrams", "2"), "--ngrams applies to text: data, not iris");
        AssertUserError(Run("train", "--data", "text:" + data, "--text", "text", "--ngrams", "9"), "--ngrams must be 1..5");
        AssertUserError(Run("train", "--data", "text:" + data, "--text", "text", "--stopwords", "french"), "unknown stop-word list 'french'");
        AssertUserError(Run("train", "--data", "text:" + data, "--text", "text", "--freeze-embeddings"), "--freeze-embeddings keeps pre-trained vectors fixed and needs --embeddings FILE");

        var latin1 = new List<byte>(Encoding.UTF8.GetBytes("label\ttext\n0\tok\n1\tna"));
        latin1.Add(0xEF);
        latin1.AddRange(Encoding.UTF8.GetBytes("ve\n"));
        System.IO.File.WriteAllBytes(P("latin1.tsv"), [.. latin1]);
        AssertUserError(Run("train", "--data", "text:" + P("latin1.tsv"), "--text", "text", "--label", "label"), "latin1.tsv:3:");

        string ragged = File("ragged.txt", "3 2\nred 0.1 0.2\ngreen 0.3\nblue 0.5 0.6\n");
        AssertUserError(Run("train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--embeddings", ragged, "--epochs", "1"), "ragged.txt:3");
        string wide = File("wide.txt", "game 0.1 0.2 0.3\nplay 0.4 0.5 0.6\n");
        AssertUserError(Run("train", "--data", "text:" + data, "--text", "text", "--label", "topics", "--model", "embedding(8) gap1d", "--embeddings", wide, "--epochs", "1"),
            "holds 3-dimensional vectors, but the model's embedding has 8");
        AssertUserError(Run("embed", "--data", "text:" + data, "--text", "body", "--out", P("v.txt")), "no text column 'body' (columns: id, topics, text)");
        AssertUserError(Run("embed", "--data", "csv:" + data, "--text", "text", "--out", P("v.txt")), "--data takes text:PATH");
    }

    [Fact]
    public void Empty_texts_are_skipped_with_a_note_naming_the_count()
    {
        string data = File("holes.tsv", "label\ttext\n" + string.Concat(Enumerable.Range(0, 40).Select(i => $"{(i % 2 == 0 ? "x" : "y")}\t{(i == 4 ? "" : i % 2 == 0 ? "apple pear" : "car bus")}\n")));
        var r = Run("train", "--data", "text:" + data, "--text", "text", "--label", "label", "--epochs", "1", "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal($"nabla: note: {data}: skipped 1 row(s) whose text cell 'text' is empty (line 6)", r.Err.Trim());
    }
}
