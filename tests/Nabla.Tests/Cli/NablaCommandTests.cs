using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Nabla.Cli;
using Nabla.IO;
using Nabla.Tests.Architecture;
using Nabla.Tests.IO;

namespace Nabla.Tests.Cli;

/// <summary>Runs the nabla command line in-process and checks exit codes, messages and outputs.</summary>
public sealed class NablaCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    private static List<JsonElement> JsonLines(string output) => Cli.JsonLines(output);

    private static JsonElement LastJson(string output) => Cli.LastJson(output);

    private string File(string name, string text)
    {
        string p = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(p, text);
        return p;
    }

    private static void AssertUserError((int Code, string Out, string Err) r, string fragment) => Cli.AssertUserError(r, fragment);

    [Fact]
    public void Default_train_on_digits_reaches_ninety_percent_test_accuracy_and_json_has_the_required_keys()
    {
        var r = Run("train", "--epochs", "5", "--json");
        Assert.Equal(0, r.Code);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, lines.Length);
        var last = LastJson(r.Out);
        foreach (var key in new[] { "command", "epochs", "train_loss", "val_loss", "test_loss", "test_accuracy", "seconds", "samples_per_second", "parameters", "model" })
            Assert.True(last.TryGetProperty(key, out _), key);
        Assert.Equal("train", last.GetProperty("command").GetString());
        Assert.True(last.GetProperty("test_accuracy").GetDouble() >= 0.9, r.Out);
        Assert.Equal(JsonValueKind.Null, last.GetProperty("model").ValueKind);
    }

    [Fact]
    public void Csv_with_several_label_columns_trains_a_multi_label_model_with_tuned_thresholds()
    {
        // Label "hot" depends on x, "wet" on y, "windy" on both: each a separate 0/1 column.
        var rng = new Nabla.Tensors.Rng(3);
        var lines = new List<string> { "x,y,hot,wet,windy" };
        for (int i = 0; i < 400; i++)
        {
            float x = rng.NextGaussian(), y = rng.NextGaussian();
            lines.Add(FormattableString.Invariant($"{x},{y},{(x > 0 ? 1 : 0)},{(y > 0.3f ? 1 : 0)},{(x + y > 0 ? 1 : 0)}"));
        }
        string csv = File("weather.csv", string.Join('\n', lines));
        string model = Path.Combine(_dir, "weather.safetensors");
        var r = Run("train", "--data", "csv:" + csv, "--label", "hot,wet,windy", "--epochs", "40", "--lr", "0.01", "--out", model, "--json");
        Assert.Equal(0, r.Code);
        var info = ModelFile.Load(model).Info;
        Assert.Equal("multilabel", info.Task);
        Assert.Equal(["hot", "wet", "windy"], info.Classes);
        Assert.Equal(3, info.Thresholds.Count);
        var last = LastJson(r.Out);
        Assert.True(last.GetProperty("test_loss").GetDouble() < 0.4, r.Out);

        string input = File("days.csv", "x,y\n2,2\n-2,-2\n");
        string output = Path.Combine(_dir, "days_out.csv");
        Assert.Equal(0, Run("predict", "--model", model, "--input", input, "--output", output).Code);
        var rows = System.IO.File.ReadAllLines(output);
        Assert.StartsWith("hot;wet;windy,", rows[1], StringComparison.Ordinal);
        Assert.StartsWith(",", rows[2], StringComparison.Ordinal); // no label over its threshold
    }

    [Fact]
    public void Idx_spec_trains_on_image_files_named_on_the_command_line()
    {
        string dir = Path.Combine(LayeringTests.RepoRoot(), "..", "shared", "data", "fashion-mnist");
        string spec = "idx:" + Path.Combine(dir, "t10k-images-idx3-ubyte.gz") + "," + Path.Combine(dir, "t10k-labels-idx1-ubyte.gz");
        var r = Run("train", "--data", spec, "--limit", "1500", "--epochs", "2", "--json");
        Assert.Equal(0, r.Code);
        var last = LastJson(r.Out);
        Assert.InRange(last.GetProperty("test_accuracy").GetDouble(), 0.55, 0.99);
    }

    [Fact]
    public void Xor_is_a_binary_task_learned_exactly()
    {
        var r = Run("train", "--data", "xor", "--model", "dense(8,tanh)", "--epochs", "300", "--batch-size", "4", "--lr", "0.05",
            "--validation-split", "0", "--json");
        Assert.Equal(0, r.Code);
        Assert.Equal(1.0, LastJson(r.Out).GetProperty("test_accuracy").GetDouble());
    }

    [Fact]
    public void Plain_output_has_one_line_per_epoch_a_summary_and_a_confusion_matrix()
    {
        var r = Run("train", "--data", "iris", "--epochs", "3");
        Assert.Equal(0, r.Code);
        Assert.Contains("epoch 3/3  loss ", r.Out, StringComparison.Ordinal);
        Assert.Contains("test_accuracy", r.Out, StringComparison.Ordinal);
        Assert.Contains("confusion matrix", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_with_categorical_labels_trains_a_classifier_and_predict_rejects_an_unknown_label()
    {
        var rng = new Nabla.Tensors.Rng(1);
        var lines = new List<string> { "a,b,species" };
        for (int i = 0; i < 120; i++)
        {
            int c = i % 3;
            lines.Add(FormattableString.Invariant($"{c * 2 + rng.NextGaussian() * 0.3f},{-c + rng.NextGaussian() * 0.3f},{new[] { "cat", "dog", "emu" }[c]}"));
        }
        string csv = File("animals.csv", string.Join('\n', lines));
        string model = Path.Combine(_dir, "animals.safetensors");
        var r = Run("train", "--data", "csv:" + csv, "--epochs", "20", "--out", model, "--json");
        Assert.Equal(0, r.Code);
        var last = LastJson(r.Out);
        Assert.Equal("multiclass", last.GetProperty("task").GetString());
        Assert.True(last.GetProperty("test_accuracy").GetDouble() >= 0.9, r.Out);

        var p = Run("predict", "--model", model, "--input", File("in.csv", "a,b,species\n4,-2,emu\n0,0,cat\n"));
        Assert.Equal(0, p.Code);
        var rows = p.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("class,p_cat,p_dog,p_emu", rows[0]);
        Assert.StartsWith("emu,", rows[1]);
        Assert.StartsWith("cat,", rows[2]);

        AssertUserError(Run("predict", "--model", model, "--input", File("yak.csv", "a,b,species\n4,-2,yak\n")), "unknown label 'yak'");
    }

    [Fact]
    public void Csv_regression_learns_a_linear_target_in_original_units()
    {
        var rng = new Nabla.Tensors.Rng(2);
        var lines = new List<string> { "x1,x2,y" };
        for (int i = 0; i < 200; i++)
        {
            float a = rng.NextFloat() * 10, b = rng.NextFloat() * 10;
            lines.Add(FormattableString.Invariant($"{a},{b},{100 + 3 * a - 2 * b + rng.NextGaussian() * 0.1f}"));
        }
        var r = Run("train", "--data", "csv:" + File("lin.csv", string.Join('\n', lines)), "--epochs", "40", "--json");
        Assert.Equal(0, r.Code);
        var last = LastJson(r.Out);
        Assert.Equal("regression", last.GetProperty("task").GetString());
        Assert.True(last.GetProperty("test_r2").GetDouble() > 0.95, r.Out);
        Assert.True(last.GetProperty("test_mse").GetDouble() < 5, r.Out);
    }

    [Fact]
    public void Fashion_mnist_subset_trains_to_an_honest_accuracy()
    {
        string dir = Path.Combine(LayeringTests.RepoRoot(), "..", "shared", "data", "fashion-mnist");
        Assert.True(Directory.Exists(dir), "missing " + dir);
        var r = Run("train", "--data", "fashion-mnist=" + dir, "--limit", "2000", "--epochs", "1", "--json");
        Assert.Equal(0, r.Code);
        var last = LastJson(r.Out);
        double acc = last.GetProperty("test_accuracy").GetDouble();
        Assert.InRange(acc, 0.6, 0.95); // one epoch on 1,800 images: well above chance (0.1), below full-data MLP figures
        Assert.Equal(784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10, last.GetProperty("parameters").GetInt32());
    }

    [Fact]
    public void Saved_model_predicts_the_same_before_and_after_reloading_and_evaluate_and_inspect_read_it()
    {
        string model = Path.Combine(_dir, "digits.safetensors");
        var t = Run("train", "--epochs", "2", "--out", model, "--json", "--limit", "400");
        Assert.Equal(0, t.Code);
        Assert.True(System.IO.File.Exists(OptimizerState.PathFor(model)));
        var (net, info) = ModelFile.Load(model);
        var rows = Enumerable.Range(0, 5).Select(i => string.Join(',', Enumerable.Range(0, 64).Select(j => ((i * 7 + j * 3) % 17).ToString(CultureInfo.InvariantCulture))));
        string input = File("digits-in.csv", string.Join('\n', rows));
        var p1 = Run("predict", "--model", model, "--input", input);
        string outFile = Path.Combine(_dir, "pred.csv");
        var p2 = Run("predict", "--model", model, "--input", input, "--output", outFile);
        Assert.Equal(0, p1.Code);
        Assert.Equal(0, p2.Code);
        Assert.Equal(p1.Out, System.IO.File.ReadAllText(outFile));
        // In-process: the same preprocessing and network give the same classes.
        var x = PredictCommand.ReadInputs(input, info);
        var expected = PredictCommand.Format(Nabla.Training.ModelTraining.Predict(net, Preparation.Standardize(x, info.InputMean, info.InputStd, info.InputScale)), Nabla.Data.TaskKind.MultiClass, info);
        Assert.Equal(expected, p1.Out);

        var e = Run("evaluate", "--model", model, "--data", "digits", "--limit", "400", "--json");
        Assert.Equal(0, e.Code);
        var ej = LastJson(e.Out);
        Assert.Equal("evaluate", ej.GetProperty("command").GetString());
        Assert.Equal(LastJson(t.Out).GetProperty("test_accuracy").GetDouble(), ej.GetProperty("test_accuracy").GetDouble(), 6);

        var i = Run("inspect", model);
        Assert.Equal(0, i.Code);
        Assert.Contains("dense(128,relu) dense(64,relu) dense(10)", i.Out, StringComparison.Ordinal);
        Assert.Contains("Total params: 17,226", i.Out, StringComparison.Ordinal);
        Assert.Contains("history       2 epochs", i.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_continues_counting_epochs_with_the_stored_data_and_the_optimizer_step_count()
    {
        string model = Path.Combine(_dir, "r.safetensors");
        var first = Run("train", "--epochs", "3", "--out", model, "--json", "--limit", "600");
        Assert.Equal(0, first.Code);
        float step = Safetensors.Load(OptimizerState.PathFor(model)).Tensors["step"].Item();
        Assert.Equal(3 * 17, step); // 600 rows, 60 held out for validation: 540 in batches of 32
        // No --limit here: the stored one applies, so the epochs see the same 540 rows.
        var second = Run("train", "--resume", model, "--epochs", "3", "--out", model, "--json");
        Assert.Equal(0, second.Code);
        var epochs = JsonLines(second.Out)[..^1];
        Assert.Equal([4, 5, 6], epochs.Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Equal(6, LastJson(second.Out).GetProperty("epochs").GetInt32());
        Assert.Equal(2 * step, Safetensors.Load(OptimizerState.PathFor(model)).Tensors["step"].Item());
        Assert.True(LastJson(second.Out).GetProperty("train_loss").GetDouble() < LastJson(first.Out).GetProperty("train_loss").GetDouble());
        Assert.Contains("history       6 epochs", Run("inspect", model).Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_with_weight_decay_continues_identically_from_a_sidecar_written_before_parameter_groups()
    {
        // --weight-decay puts the weights in one parameter group and biases in another, so the
        // optimizer numbers its state group by group; the older single-group sidecar numbered it in
        // model order, without param_groups entries. Both must resume to the same figures.
        string model = Path.Combine(_dir, "wd.safetensors"), old = Path.Combine(_dir, "old.safetensors");
        Assert.Equal(0, Run("train", "--epochs", "1", "--weight-decay", "0.01", "--out", model, "--json", "--limit", "300").Code);
        // A model file as written before checkpoint ids: no reference to its state, which is FILE.optim.safetensors.
        var content = Safetensors.Load(model);
        Safetensors.Save(old, content.Tensors, content.Metadata.Where(kv => kv.Key is not ("nabla.checkpoint" or "nabla.optimizer_state")).ToDictionary());
        var (net, _) = ModelFile.Load(model);
        var roles = net.NamedParameters().Select(p => p.Role == Nabla.Nn.ParameterRole.Weight).ToArray();
        int[] groupOrder = [.. Enumerable.Range(0, roles.Length).Where(i => roles[i]), .. Enumerable.Range(0, roles.Length).Where(i => !roles[i])];
        var sidecar = Safetensors.Load(OptimizerState.PathFor(model));
        var singleGroup = new Dictionary<string, Nabla.Tensors.Tensor>();
        foreach (var (key, value) in sidecar.Tensors)
        {
            if (key.StartsWith("param_groups.", StringComparison.Ordinal)) continue;
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            singleGroup[dot < 0 ? key : $"{groupOrder[int.Parse(key[..dot], CultureInfo.InvariantCulture)]}{key[dot..]}"] = value;
        }
        Assert.Contains("3.exp_avg", singleGroup.Keys);
        Safetensors.Save(old + ".optim.safetensors", singleGroup, sidecar.Metadata.Where(kv => kv.Key != "nabla.checkpoint").ToDictionary());

        var fromNew = Run("train", "--resume", model, "--epochs", "1", "--weight-decay", "0.01", "--json", "--limit", "300");
        var fromOld = Run("train", "--resume", old, "--epochs", "1", "--weight-decay", "0.01", "--json", "--limit", "300");
        Assert.Equal(0, fromOld.Code);
        Assert.Equal(LastJson(fromNew.Out).GetProperty("train_loss").GetDouble(), LastJson(fromOld.Out).GetProperty("train_loss").GetDouble());
        Assert.Equal(LastJson(fromNew.Out).GetProperty("test_accuracy").GetDouble(), LastJson(fromOld.Out).GetProperty("test_accuracy").GetDouble());
    }

    [Fact]
    public void An_interrupted_run_with_validation_data_leaves_the_best_model_so_far_in_the_out_file()
    {
        // SGD at lr 3 on iris: val_loss is best after epoch 1, then grows until the loss explodes in epoch 3.
        string model = Path.Combine(_dir, "best.safetensors");
        var r = Run("train", "--data", "iris", "--optimizer", "sgd", "--lr", "3", "--epochs", "30", "--out", model, "--json");
        AssertUserError(r, "training diverged: the loss grew to ");
        Assert.Contains("at epoch 3,", r.Err, StringComparison.Ordinal);
        var valLoss = JsonLines(r.Out).Select(e => e.GetProperty("val_loss").GetDouble()).ToList();
        Assert.Equal(2, valLoss.Count);
        Assert.Equal(0, valLoss.IndexOf(valLoss.Min()));
        var (net, info) = ModelFile.Load(model);
        var history = HistoryRecords.Parse(info.HistoryJson);
        Assert.Single(history);
        Assert.Equal(valLoss[0], history[0]["val_loss"], 5);
        // The file holds epoch 1's weights: they give epoch 1's val_loss on the same validation rows.
        var data = Nabla.Data.DataSpec.Load("iris", new Nabla.Data.DataOptions { Seed = 0 });
        var (_, validation) = Preparation.HoldOut(data.Train, 0.1, 0);
        var rows = Preparation.Apply(validation!, info);
        double recomputed = Nabla.Training.ModelTraining.Evaluate(net, new Nabla.Data.DataLoader(rows, 32), new Nabla.Nn.Losses.CrossEntropyLoss()).Loss;
        Assert.Equal(valLoss[0], recomputed, 5);
        Assert.True(System.IO.File.Exists(OptimizerState.PathFor(model)));
        // evaluate reads the stored data and split seed; its figures are those of the loaded network.
        var e = Run("evaluate", "--model", model, "--json");
        Assert.Equal(0, e.Code);
        var test = Preparation.Apply(data.Test, info);
        var expected = Assessment.Run(net, test, Nabla.Data.TaskKind.MultiClass, info, 256).Figures.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(expected["test_loss"], LastJson(e.Out).GetProperty("test_loss").GetDouble(), 5);
        Assert.Equal(expected["test_accuracy"], LastJson(e.Out).GetProperty("test_accuracy").GetDouble(), 5);
        // And the run can go on from there with a gentler rate: epoch 2 follows the one epoch kept.
        var resumed = Run("train", "--resume", model, "--lr", "0.1", "--epochs", "1", "--json");
        Assert.Equal(0, resumed.Code);
        Assert.Equal(2, JsonLines(resumed.Out)[0].GetProperty("epoch").GetInt32());
    }

    [Fact]
    public void A_finished_run_with_validation_data_saves_the_final_model_not_the_checkpoint()
    {
        // SGD at lr 1 on iris: val_loss jumps around, so its best epoch is not the last one.
        string model = Path.Combine(_dir, "final.safetensors");
        var r = Run("train", "--data", "iris", "--optimizer", "sgd", "--lr", "1", "--epochs", "30", "--out", model, "--json");
        Assert.Equal(0, r.Code);
        var valLoss = JsonLines(r.Out)[..^1].Select(e => e.GetProperty("val_loss").GetDouble()).ToList();
        Assert.NotEqual(valLoss.Count - 1, valLoss.IndexOf(valLoss.Min()));
        Assert.Equal(30, HistoryRecords.Parse(ModelFile.Load(model).Info.HistoryJson).Count);
        var e = Run("evaluate", "--model", model, "--data", "iris", "--json");
        Assert.Equal(0, e.Code);
        Assert.Equal(LastJson(r.Out).GetProperty("test_loss").GetDouble(), LastJson(e.Out).GetProperty("test_loss").GetDouble(), 5);
    }

    [Fact]
    public void Plot_writes_a_valid_svg_with_loss_and_accuracy_panels()
    {
        string svg = Path.Combine(_dir, "curves.svg");
        Assert.Equal(0, Run("train", "--data", "iris", "--epochs", "3", "--plot", svg, "--json").Code);
        var doc = XDocument.Load(svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        var texts = doc.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();
        Assert.Contains("loss", texts);
        Assert.Contains("accuracy", texts);
        Assert.Equal(5, doc.Descendants().Count(e => e.Name.LocalName == "polyline"));   // train and validation loss and accuracy, learning rate
    }

    [Theory]
    [InlineData("--epochs", "0", "--epochs must be at least 1")]
    [InlineData("--lr", "0", "--lr must be a positive number")]
    [InlineData("--dropout", "1", "--dropout must be in [0, 1)")]
    [InlineData("--validation-split", "1", "--validation-split must be in [0, 1)")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--optimizer", "lbfgs", "unknown optimizer 'lbfgs'")]
    [InlineData("--model", "dense(32,relu) dens(3)", "unknown layer 'dens'")]
    [InlineData("--data", "mnist-ish", "unknown data 'mnist-ish'")]
    [InlineData("--epochs", "many", "many")]
    public void Out_of_range_options_are_one_line_user_errors(string option, string value, string message) =>
        AssertUserError(Run("train", option, value), message);

    [Fact]
    public void Bad_csv_files_are_one_line_user_errors_naming_the_place()
    {
        AssertUserError(Run("train", "--data", "csv:" + Path.Combine(_dir, "none.csv")), "not found");
        AssertUserError(Run("train", "--data", "csv:" + File("empty.csv", "")), "empty");
        AssertUserError(Run("train", "--data", "csv:" + File("ragged.csv", "a,b,y\n1,2,0\n3,1\n")), "ragged.csv:3:3: expected 3 fields, found 2");
        AssertUserError(Run("train", "--data", "csv:" + File("text.csv", "a,b,y\n1,2,0\n3,x,1\n")), "text.csv:3:2: 'x' is not a number");
        AssertUserError(Run("train", "--data", "csv:" + File("nan.csv", "a,b,y\n1,2,0\n3,NaN,1\n")), "nan.csv:3:2");
        AssertUserError(Run("train", "--data", "csv:" + File("inf.csv", "a,b,y\n1,2,0\n3,1,1\nInfinity,1,0\n")), "not a finite number");
        AssertUserError(Run("train", "--data", "csv:" + File("lab.csv", "a,b,y\n1,2,0\n3,1,1\n"), "--label", "z"), "label column 'z' does not exist");
    }

    [Fact]
    public void Data_option_mistakes_name_the_flags_the_user_typed()
    {
        string two = File("two.csv", "x,y,label\n1,2,a\n3,1,b\n2,2,a\n1,1,b\n0,2,a\n3,0,b\n2,1,a\n1,3,b\n0,0,a\n2,3,b\n");
        string three = File("three.csv", "x,y,label\n1,2,a\n3,1,b\n2,2,c\n1,1,b\n");
        var r = Run("train", "--data", "csv:" + two, "--label", "x,label", "--label-separator", ";");
        AssertUserError(r, "two.csv: a label separator (--label-separator) needs exactly one label column (--label), got 2: x, label");
        AssertUserError(Run("train", "--data", "csv:" + two, "--task", "multilabel"),
            "two.csv: a multilabel task (--task) with one label column needs a label separator (--label-separator)");
        r = Run("train", "--data", "csv:" + three, "--task", "binary");
        AssertUserError(r, "three.csv: a binary task (--task) needs 2 classes, the label column has 3");
        Assert.DoesNotContain("DataOptions", r.Err, StringComparison.Ordinal);

        string model = Path.Combine(_dir, "ab.safetensors");
        Assert.Equal(0, Run("train", "--data", "csv:" + two, "--epochs", "1", "--validation-split", "0", "--out", model, "--json").Code);
        AssertUserError(Run("evaluate", "--model", model, "--data", "csv:" + three), "three.csv:4:3: unknown label 'c' (the model's classes are a, b)");
    }

    private string XorModel()
    {
        string model = Path.Combine(_dir, "xor.safetensors");
        Assert.Equal(0, Run("train", "--data", "xor", "--epochs", "1", "--validation-split", "0", "--out", model, "--json").Code);
        return model;
    }

    [Fact]
    public void A_diverging_learning_rate_is_a_one_line_user_error_naming_the_epoch_and_batch()
    {
        // SGD at lr 10⁶ on iris (4 batches of 32 per epoch): the loss explodes within the first epoch, long
        // before it would overflow to NaN (TerminateOnDivergence: 10⁴ times the first batch's loss).
        var r = Run("train", "--data", "iris", "--optimizer", "sgd", "--lr", "1e6", "--epochs", "5", "--json");
        AssertUserError(r, "training diverged: the loss grew to ");
        Assert.Contains("at epoch 1, batch 2 of 4, more than 1E+04 times its first value 1.099; try a lower learning rate (it is 1000000)", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_model_files_are_one_line_user_errors()
    {
        AssertUserError(Run("inspect", Path.Combine(_dir, "missing.safetensors")), "model file not found");
        AssertUserError(Run("inspect", File("junk.safetensors", "this is not a model at all")), "not a safetensors file");
        string model = Path.Combine(_dir, "m.safetensors");
        Assert.Equal(0, Run("train", "--data", "xor", "--epochs", "1", "--validation-split", "0", "--out", model, "--json").Code);
        var bytes = System.IO.File.ReadAllBytes(model);
        System.IO.File.WriteAllBytes(Path.Combine(_dir, "t.safetensors"), bytes[..(bytes.Length - 10)]);
        AssertUserError(Run("inspect", Path.Combine(_dir, "t.safetensors")), "t.safetensors: truncated");
        AssertUserError(Run("predict", "--model", model, "--input", File("x3.csv", "1,2,3\n")), "has 3 input columns, the model expects 2 input features");
        AssertUserError(Run("evaluate", "--model", model, "--data", "iris"), "expects 2 input features, the data has 4");
    }

    [Fact]
    public void An_interrupted_save_leaves_the_previous_model_loadable()
    {
        string model = Path.Combine(_dir, "keep.safetensors");
        Assert.Equal(0, Run("train", "--data", "iris", "--epochs", "1", "--out", model, "--json").Code);
        var before = System.IO.File.ReadAllBytes(model);
        var (net, _) = ModelFile.Load(model);
        Assert.Throws<IOException>(() => Safetensors.Save(model, net.StateDict(), null, s => new FailingStream(s, 64)));
        Assert.Equal(before, System.IO.File.ReadAllBytes(model));
        Assert.Equal(0, Run("inspect", model).Code);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.TopDirectoryOnly));
    }

    [Fact]
    public void Missing_fashion_mnist_folder_says_how_to_get_it()
    {
        AssertUserError(Run("train", "--data", "fashion-mnist=" + Path.Combine(_dir, "nowhere")), "fashion-mnist folder not found");
    }
}
