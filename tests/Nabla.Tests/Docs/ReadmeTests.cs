using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Optim.Rules;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Docs;

/// <summary>The README's examples, kept compiling and correct.</summary>
public class ReadmeTests
{
    [Fact]
    public void Api_tour_computes_the_loss_and_gradients_of_a_hand_written_double_precision_formula()
    {
        var rng = new Rng(42);
        var x = Tensor.Randn(new Shape(4, 3), rng);
        var w = (Tensor.Randn(new Shape(2, 3), rng) * 0.1f).Detach().RequireGrad();
        var b = Tensor.Zeros(2).RequireGrad();

        var y = (x.MatMul(w.T()) + b).Relu();
        var loss = y.Square().Mean();
        loss.Backward();

        Assert.Equal(w.Shape, w.Grad!.Shape);
        Assert.Equal(b.Shape, b.Grad!.Shape);
        // The same loss and gradients in double precision, written out by hand:
        // z = x·wᵀ + b, y = relu(z), L = Σy²/8, ∂L/∂z = 2y/8·[z > 0], ∂L/∂w = (∂L/∂z)ᵀ·x, ∂L/∂b = Σᵢ ∂L/∂zᵢ.
        float[] xs = x.ToArray(), ws = w.ToArray(), bs = b.ToArray();
        double expectedLoss = 0;
        var dw = new double[6];
        var db = new double[2];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 2; j++)
            {
                double z = bs[j];
                for (int k = 0; k < 3; k++) z += (double)xs[i * 3 + k] * ws[j * 3 + k];
                double yv = Math.Max(z, 0);
                expectedLoss += yv * yv / 8;
                double dz = z > 0 ? 2 * yv / 8 : 0;
                db[j] += dz;
                for (int k = 0; k < 3; k++) dw[j * 3 + k] += dz * xs[i * 3 + k];
            }
        Assert.Equal(expectedLoss, loss.Item(), 6);
        Assert.Contains(dw, v => v != 0);
        var gw = w.Grad.ToArray();
        var gb = b.Grad.ToArray();
        for (int n = 0; n < 6; n++) Assert.Equal(dw[n], gw[n], 6);
        for (int n = 0; n < 2; n++) Assert.Equal(db[n], gb[n], 6);
        using (GradMode.NoGrad())
        {
            var inference = x.MatMul(w.T()) + b;
            Assert.False(inference.RequiresGrad);
        }
    }

    [Fact]
    public void Optimizer_bullet_examples_build_their_chains_and_groups_and_step()
    {
        var rng = new Rng(1);
        var backbone = new Sequential(new Dense(4, 8, rng), new BatchNorm1d(8), new ReLU());
        var head = new Dense(8, 3, rng);
        var model = new Sequential(backbone, head);
        var chain = new Optimizer(model.Parameters(), lr: 1e-3f, weightDecay: 1e-4f, new ClipGlobalNorm(1f), new WeightDecay(), new AdamRule());
        var groups = new Adam([new ParameterGroup(backbone.Parameters(), lr: 1e-4f), new ParameterGroup(head.Parameters())], lr: 1e-3f);
        var decay = new AdamW(ParameterGroup.DecayWeightsOnly(new Sequential(new Dense(4, 8, rng), new BatchNorm1d(8))), lr: 1e-3f);
        chain.BeforeStep += o => GradientClipping.ClipByNorm(o.Parameters, 1f);
        var loss = new RegularizedLoss(new CrossEntropyLoss(), model, 1e-4f, 1e-4f);
        var before = model.Parameters().First().ToArray();
        foreach (var opt in new Optimizer[] { chain, groups })
        {
            opt.ZeroGrad();
            loss.Forward(model.Forward(Tensor.Randn(new Shape(5, 4), rng)), Tensor.FromArray([0f, 1f, 2f, 0f, 1f])).Backward();
            opt.Step();
        }
        Assert.NotEqual(before, model.Parameters().First().ToArray());
        Assert.Equal([1e-4f, 1e-3f], groups.ParamGroups.Select(g => g.LearningRate));
        Assert.Equal([0.01f, 0f], decay.ParamGroups.Select(g => g.WeightDecay));
    }

    [Fact]
    public void Layers_tour_trains_digits_to_over_ninety_seven_percent()
    {
        var root = Nabla.Tests.Architecture.LayeringTests.RepoRoot();
        var rng = new Rng(0);
        var digits = SklearnCsv.Load(Path.Combine(root, "..", "shared", "data", "sklearn", "digits.csv.gz"));
        var (train, test) = Splits.TrainTestSplit(new Dataset(digits.Features, digits.Labels), 0.2, rng, stratify: digits.Labels);
        var scaler = Standardizer.Fit(train.X);

        var model = new Sequential(new Dense(64, 128, rng), new ReLU(), new Dense(128, 10, rng));
        var history = model.Fit(scaler.Transform(train.X), train.Y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(),
            epochs: 40, batchSize: 32, validationSplit: 0.1f, metrics: [new Accuracy()],
            callbacks: [new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true)], rng: rng);
        var result = model.Evaluate(scaler.Transform(test.X), test.Y, new CrossEntropyLoss(), [new Accuracy()]);

        Assert.True(result.Metrics["accuracy"] >= 0.97, $"test accuracy {result.Metrics["accuracy"]:F4}");
        Assert.Contains("Dense(64 → 128)", model.Summary(new Shape(1, 64)));
        Assert.NotEmpty(history.Epochs);

        var loader = new DataLoader(new Dataset(scaler.Transform(train.X), train.Y), batchSize: 32, shuffle: true, rng: rng);
        var more = model.Fit(loader, new Adam(model.Parameters(), 1e-4f), new CrossEntropyLoss(), epochs: 5, metrics: [new Accuracy()]);

        Assert.Equal(5, more.Epochs.Count);
        Assert.True(more["accuracy"][^1] >= 0.97, $"training accuracy {more["accuracy"][^1]:F4}");
    }

    /// <summary>The shell commands of the README's command-line section, in order (comments kept apart).</summary>
    internal static List<(string Command, string Comment)> CliCommands()
    {
        string readme = File.ReadAllText(Path.Combine(Nabla.Tests.Architecture.LayeringTests.RepoRoot(), "README.md"));
        int start = readme.IndexOf("\n## Command line", StringComparison.Ordinal);
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no '## Command line' section");
        var commands = new List<(string, string)>();
        foreach (Match block in Regex.Matches(readme[start..end], "```sh\n(.*?)```", RegexOptions.Singleline))
            foreach (var line in block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int hash = line.IndexOf(" #", StringComparison.Ordinal);
                commands.Add(hash < 0 ? (line, "") : (line[..hash].Trim(), line[(hash + 2)..].Trim()));
            }
        return commands;
    }

    [Fact]
    public void Readme_cli_commands_run_as_written_and_do_what_their_comments_say()
    {
        var commands = CliCommands();
        string dir = Directory.CreateTempSubdirectory("nabla-readme-").FullName;
        try
        {
            // The one input file the commands expect: flowers.csv, four iris measurements per row.
            File.WriteAllText(Path.Combine(dir, "flowers.csv"), "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n5.9,2.8,4.3,1.3\n");
            int ran = 0;
            foreach (var (command, comment) in commands)
            {
                var args = ShellWords(command);
                // `dotnet run --project src/Nabla.Cli -c Release -- ARGS` is `nabla ARGS`; build, test and install commands are not run here.
                if (args[0] == "dotnet" && args.Contains("--project") && args.Contains("--")) args = ["nabla", .. args[(args.IndexOf("--") + 1)..]];
                if (args[0] != "nabla") continue;
                var (code, output, errors) = RunNabla(dir, args[1..]);
                Assert.True(code == 0, $"`{command}` exited {code}: {errors}");
                if (Regex.Match(comment, @"continues at epoch (\d+)") is { Success: true } m)
                    Assert.Contains($"epoch {m.Groups[1].Value}/", output, StringComparison.Ordinal);
                if (args[1] == "train" && args.Count == 2) CheckBareTrainOutput(output);
                ran++;
            }
            Assert.True(ran >= 6, $"only {ran} nabla commands found in the README");
            Assert.True(File.Exists(Path.Combine(dir, "iris.svg")));
            var predictions = File.ReadAllLines(Path.Combine(dir, "predictions.csv"));
            Assert.Equal("class,p_setosa,p_versicolor,p_virginica", predictions[0]);
            Assert.Equal(["setosa", "virginica", "versicolor"], predictions[1..].Select(l => l.Split(',')[0]));
            Assert.Contains("history       70 epochs", RunNabla(dir, ["inspect", "iris.safetensors"]).Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // The README shows the bare `train`'s output abbreviated: every line it shows (epoch lines without their timing) must appear.
    private static void CheckBareTrainOutput(string output)
    {
        string readme = File.ReadAllText(Path.Combine(Nabla.Tests.Architecture.LayeringTests.RepoRoot(), "README.md"));
        var shown = Regex.Match(readme, "```\n(data digits:.*?)```", RegexOptions.Singleline);
        Assert.True(shown.Success, "README.md no longer shows the bare train's output");
        var lines = output.Split('\n').Select(l => l.TrimEnd()).ToList();
        foreach (var line in shown.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Trim() != "…"))
        {
            string expected = Regex.Replace(line.TrimEnd(), @"  \d+\.\ds$", "");
            Assert.True(lines.Any(l => l.StartsWith(expected, StringComparison.Ordinal)), $"README shows '{expected}', the output has no such line:\n{output}");
        }
    }

    private static List<string> ShellWords(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char quote = '\0';
        bool inWord = false;
        foreach (char c in command)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else word.Append(c);
            }
            else if (c is '"' or '\'') (quote, inWord) = (c, true);
            else if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>Runs the built <c>nabla</c> tool as a separate process in <paramref name="dir"/>.</summary>
    private static (int Code, string Output, string Errors) RunNabla(string dir, IEnumerable<string> args)
    {
        string apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "Nabla.Cli.exe" : "Nabla.Cli");
        var start = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo("dotnet") { ArgumentList = { "exec", Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll") } };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.WorkingDirectory = dir;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"nabla {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
    [Fact]
    public void Text_tour_classifies_debian_sections_from_descriptions()
    {
        var rows = Nabla.Tests.Data.Text.TextVectorizationTests.ReadColumns(TestData.Path_("debian-packages.tsv.gz"), "description", "section");
        var rng = new Rng(0);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        rng.Shuffle(order.AsSpan());
        var train = order.Take(rows.Count * 4 / 5).Select(i => rows[i]).ToList();
        var test = order.Skip(rows.Count * 4 / 5).Select(i => rows[i]).ToList();
        var sections = train.Select(r => r[1]).Distinct().Order(StringComparer.Ordinal).ToList();
        Tensor Labels(List<string[]> part) => Tensor.FromArray([.. part.Select(r => (float)Math.Max(0, sections.IndexOf(r[1])))]);

        var vectorizer = new TextVectorization(maxTokens: 20_000, outputSequenceLength: 24);
        vectorizer.Adapt(train.Select(r => r[0]));                       // vocabulary from the training rows only
        var model = new Sequential(
            new Embedding(vectorizer.Vocabulary.Count, 64, rng, paddingIdx: 0),   // ids [N, 24] → [N, 24, 64] + padding mask
            new GlobalAveragePooling1D(),                                // mean over the real tokens → [N, 64]
            new Dense(64, 64, rng, activation: "relu"),
            new Dense(64, sections.Count, rng));
        model.Fit(vectorizer.Transform([.. train.Select(r => r[0])]), Labels(train), new Adam(model.Parameters(), 1e-2f),
            new CrossEntropyLoss(), epochs: 3, batchSize: 128, rng: rng);
        var result = model.Evaluate(vectorizer.Transform([.. test.Select(r => r[0])]), Labels(test), new CrossEntropyLoss(), [new Accuracy()]);

        Assert.True(result.Metrics["accuracy"] >= 0.68, $"test accuracy {result.Metrics["accuracy"]:F4}");
    }

    [Fact]
    public void Attention_tour_runs_with_the_shapes_it_states()
    {
        var rng = new Rng(0);
        var x = Tensor.Randn(new Shape(2, 6, 256), rng);
        var padding = Tensor.FromArray([0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f], 2, 6);
        var src = Tensor.Randn(new Shape(2, 5, 128), rng);
        var tgt = Tensor.Randn(new Shape(2, 4, 128), rng);
        var pad = AttentionMask.Boolean(Tensor.FromArray([0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f], 2, 5));
        var (query, key, value) = (x, x, x);

        var layer = new TransformerEncoderLayer(256, 4, rng, dimFeedforward: 1024, dropout: 0.1f);   // batch first: [B, L, 256]
        var y = layer.Forward(x, srcKeyPaddingMask: AttentionMask.Boolean(padding));                 // padding [B, L], 1 = pad

        var model = new Transformer(128, 4, rng, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 512);
        var decoded = model.Forward(src, tgt, tgtIsCausal: true, srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad);

        var mha = new MultiheadAttention(256, 4, rng, dropout: 0.1f);
        var (output, weights) = mha.Forward(query, key, value, needWeights: true);                   // weights averaged over heads

        Assert.Equal(x.Shape, y.Shape);
        Assert.Equal(tgt.Shape, decoded.Shape);
        Assert.Equal(x.Shape, output.Shape);
        Assert.Equal(new Shape(2, 6, 6), weights!.Shape);
    }

    [Fact]
    public void Generation_tour_decodes_greedily_and_by_beam_search_until_the_end_token()
    {
        var rng = new Rng(0);
        var sourceIds = Tensor.FromArray([5f, 6f, 7f, 8f, 9f, 5f, 0f, 0f], 2, 4);
        var model = new Seq2SeqTransformer(12, 12, 16, 2, rng, (n, d) => new Embedding(n, d, rng),
            numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32, maxLength: 32, paddingToken: 0);

        model.Eval();
        var decoder = model.StartDecoding(sourceIds, maxLength: 16);                        // encodes once, caches keys and values
        int[][] outputs = Decoding.Greedy(decoder, startToken: 1, endToken: 2, maxLength: 16);
        int[][] beams = Decoding.BeamSearch(model.StartDecoding(sourceIds, 16, repeat: 4), beamWidth: 4, startToken: 1, endToken: 2, maxLength: 16);

        Assert.Equal(2, outputs.Length);
        Assert.Equal(2, beams.Length);
        Assert.All(outputs, o => Assert.True(o.Length <= 16 && !o.Contains(2)));
    }
}
