using Nabla.Cli;
using Nabla.IO;
using Nabla.Tensors;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary><c>nabla train --resume</c>: settings come from the file, state is restored, and a split run equals an unsplit one.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData("adam")]
    [InlineData("sgd", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--weight-decay", "0.01", "--batch-size", "16")]
    [InlineData("rmsprop", "--optimizer", "rmsprop", "--lr", "0.002", "--momentum", "0.5", "--l2", "0.001")]
    public void Two_epochs_and_a_resumed_two_give_the_weights_and_optimizer_state_of_four_in_one_run(string name, params string[] options)
    {
        string[] common = ["train", "--data", "iris", "--seed", "7", .. options, "--json"];
        string whole = P(name + "-whole.safetensors"), split = P(name + "-split.safetensors");
        string wholeRun = Ok([.. common, "--epochs", "4", "--out", whole]);
        Ok([.. common, "--epochs", "2", "--out", split]);
        // Only what the README shows: the settings come from the file.
        string resumed = Ok("train", "--resume", split, "--epochs", "2", "--out", split, "--json");

        var a = Safetensors.Load(whole).Tensors;
        var b = Safetensors.Load(split).Tensors;
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys) Assert.True(a[key].ToArray().SequenceEqual(b[key].ToArray()), $"weights {key} differ");
        var sa = Safetensors.Load(OptimizerState.PathFor(whole));
        var sb = Safetensors.Load(OptimizerState.PathFor(split));
        Assert.Equal(sa.Tensors.Keys.Order(), sb.Tensors.Keys.Order());
        Assert.True(sa.Tensors.Count > 1, "the optimizer saved no per-parameter state");
        foreach (var key in sa.Tensors.Keys) Assert.True(sa.Tensors[key].ToArray().SequenceEqual(sb.Tensors[key].ToArray()), $"optimizer state {key} differs");
        Assert.Equal(name, sb.Metadata["nabla.optimizer"]);

        var epochs = JsonLines(wholeRun)[..^1];
        var last = JsonLines(resumed)[..^1];
        Assert.Equal([3, 4], last.Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.Equal(epochs[2].GetProperty("loss").GetDouble(), last[0].GetProperty("loss").GetDouble());
        Assert.Equal(epochs[3].GetProperty("val_loss").GetDouble(), last[1].GetProperty("val_loss").GetDouble());
    }

    [Fact]
    public void Resuming_restores_the_optimizers_state_tensors_and_step_count_as_saved()
    {
        string model = P("m.safetensors");
        Ok("train", "--data", "iris", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--epochs", "2", "--out", model, "--json");
        var (net, info) = ModelFile.Load(model);
        var saved = Safetensors.Load(OptimizerState.PathFor(model)).Tensors;
        var settings = new TrainingSettings { Data = "iris", Model = "dense(4)", Optimizer = info.Extra["optimizer"], LearningRate = 0.05f, Momentum = 0.9f };
        var optimizer = TrainCommand.CreateOptimizer(settings, net);
        Assert.True(OptimizerState.Restore(model, info, optimizer, "sgd", net));
        Assert.Equal(2 * 4, optimizer.StepCount); // 108 fitted rows in batches of 32
        var state = optimizer.StateDict();
        Assert.Equal(saved.Keys.Order(), state.Keys.Order());
        Assert.Contains("0.momentum_buffer", state.Keys);
        foreach (var (key, tensor) in saved) Assert.Equal(tensor.ToArray(), state[key].ToArray());
        Assert.NotEqual(0f, state["0.momentum_buffer"].ToArray().Select(MathF.Abs).Max());
    }

    [Fact]
    public void A_resumed_plain_sgd_model_stays_plain_sgd_at_its_learning_rate()
    {
        string model = P("sgd.safetensors");
        Ok("train", "--data", "iris", "--optimizer", "sgd", "--lr", "0.2", "--epochs", "1", "--out", model, "--json");
        var r = Ok("train", "--resume", model, "--epochs", "1", "--out", model);
        Assert.Contains("sgd lr 0.2, resumed from", r, StringComparison.Ordinal);
        var extra = ModelFile.Load(model).Info.Extra;
        Assert.Equal("sgd", extra["optimizer"]);
        Assert.Equal("0.2", extra["lr"]);
        Assert.Equal("2", extra["epochs"]);
        Assert.Equal("sgd", Safetensors.Load(OptimizerState.PathFor(model)).Metadata["nabla.optimizer"]);
    }

    [Fact]
    public void Overrides_of_learning_rate_and_epochs_apply_and_are_stored()
    {
        string model = P("o.safetensors");
        Ok("train", "--data", "iris", "--epochs", "2", "--out", model, "--json");
        var r = Ok("train", "--resume", model, "--lr", "0.01", "--epochs", "3", "--out", model, "--json");
        var epochs = JsonLines(r)[..^1];
        Assert.Equal([3, 4, 5], epochs.Select(e => e.GetProperty("epoch").GetInt32()));
        Assert.All(epochs, e => Assert.Equal(0.01, e.GetProperty("lr").GetDouble(), 6));
        Assert.Equal("0.01", ModelFile.Load(model).Info.Extra["lr"]);
    }

    [Fact]
    public void Without_epochs_a_resumed_run_trains_what_the_stored_plan_has_left()
    {
        // SGD at lr 3 on iris diverges in epoch 4 of 30; the file keeps epoch 1, the best.
        string model = P("plan.safetensors");
        AssertUserError(Run("train", "--data", "iris", "--optimizer", "sgd", "--lr", "3", "--epochs", "30", "--out", model, "--json"), "diverged");
        var r = Ok("train", "--resume", model, "--lr", "0.05", "--out", model, "--json");
        var epochs = JsonLines(r)[..^1];
        Assert.Equal(Enumerable.Range(2, 29), epochs.Select(e => e.GetProperty("epoch").GetInt32()));
        AssertUserError(Run("train", "--resume", model), "has done all 30 epochs it was trained for; give --epochs N to train N more");
    }

    [Theory]
    [InlineData("--model", "dense(32,relu)", "--model gives dense(32,relu) dense(3), which contradicts")]
    [InlineData("--dropout", "0.5", "--dropout gives dense(16,relu) dropout(0.5) dense(3), which contradicts")]
    [InlineData("--optimizer", "sgd", "--optimizer sgd contradicts")]
    [InlineData("--seed", "3", "--seed 3 contradicts")]
    [InlineData("--validation-split", "0.2", "--validation-split 0.2 contradicts")]
    [InlineData("--task", "binary", "--task binary contradicts")]
    [InlineData("--label-separator", ";", "--label-separator ; contradicts")]
    public void Options_that_contradict_the_resumed_model_are_one_line_errors(string option, string value, string message)
    {
        string model = P("c.safetensors");
        Ok("train", "--data", "iris", "--model", "dense(16,relu)", "--epochs", "1", "--out", model, "--json");
        AssertUserError(Run("train", "--resume", model, option, value, "--epochs", "1"), message);
    }

    [Fact]
    public void Options_equal_to_the_stored_ones_are_accepted()
    {
        string model = P("e.safetensors");
        Ok("train", "--data", "iris", "--model", "dense(16,relu)", "--optimizer", "adamw", "--seed", "4", "--epochs", "1", "--out", model, "--json");
        Ok("train", "--resume", model, "--model", "dense(16,relu)", "--optimizer", "AdamW", "--seed", "4", "--validation-split", "0.1",
            "--task", "multiclass", "--data", "iris", "--epochs", "1", "--json");
    }

    [Fact]
    public void A_missing_or_foreign_optimizer_state_file_is_reported()
    {
        string model = P("s.safetensors");
        Ok("train", "--data", "iris", "--epochs", "1", "--out", model, "--json");
        var (net, info) = ModelFile.Load(model);
        var sgd = new Nabla.Optim.SGD(net.Parameters(), 0.1f, momentum: 0.9f);
        OptimizerState.Save(model, net, info, sgd, "sgd");
        string state = Path.GetFileName(OptimizerState.PathFor(model));
        AssertUserError(Run("train", "--resume", model, "--epochs", "1"), $"{state}: holds 'sgd' state, but s.safetensors was trained with adam");
        File.Delete(OptimizerState.PathFor(model));
        Assert.Contains($"(no {state}: the optimizer state starts afresh)", Ok("train", "--resume", model, "--epochs", "1"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_multi_label_model_is_resumed_and_evaluated_with_its_stored_label_column_and_separator()
    {
        string csv = P("tags.csv"), model = P("tags.safetensors");
        File.WriteAllText(csv, TagsCsv());
        var t = LastJson(Ok("train", "--data", "csv:" + csv, "--label-separator", ";", "--epochs", "30", "--lr", "0.01", "--out", model, "--json"));
        Assert.Equal("multilabel", t.GetProperty("task").GetString());
        var info = ModelFile.Load(model).Info;
        Assert.Equal(["tags"], info.LabelColumns);
        Assert.Equal(";", info.LabelSeparator);
        Assert.Equal(["hot", "wet", "windy"], info.Classes);

        var e = LastJson(Ok("evaluate", "--model", model, "--json"));
        Assert.Equal(t.GetProperty("test_loss").GetDouble(), e.GetProperty("test_loss").GetDouble(), 6);
        Assert.Equal(t.GetProperty("test_micro_f1").GetDouble(), e.GetProperty("test_micro_f1").GetDouble(), 6);
        AssertUserError(Run("evaluate", "--model", model, "--label-separator", "|"), "--label-separator | contradicts");
        AssertUserError(Run("evaluate", "--model", model, "--label", "x"), "--label x contradicts");
        Ok("train", "--resume", model, "--epochs", "1", "--json");
    }

    [Fact]
    public void Files_written_before_the_settings_were_stored_still_load_resume_and_evaluate()
    {
        // The layout of earlier versions: label columns among the extras, no label separator, no model/dropout/momentum/… entries.
        string csv = P("animals.csv"), model = P("old.safetensors");
        File.WriteAllText(csv, AnimalsCsv());
        Ok("train", "--data", "csv:" + csv, "--epochs", "3", "--out", model, "--json");
        var content = Safetensors.Load(model);
        var meta = content.Metadata.Where(kv => kv.Key is not ("nabla.label_columns" or "nabla.label_separator")
            && !(kv.Key.StartsWith("nabla.extra.", StringComparison.Ordinal) && kv.Key[12..] is not ("data" or "optimizer" or "lr" or "batch_size" or "seed" or "epochs")))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        meta["nabla.extra.label_columns"] = "[\"species\"]";
        Safetensors.Save(model, content.Tensors, meta);

        var info = ModelFile.Load(model).Info;
        Assert.Equal(["species"], info.LabelColumns);
        Assert.DoesNotContain("label_columns", info.Extra.Keys);
        Assert.Equal(0, Run("evaluate", "--model", model, "--json").Code);
        var r = Ok("train", "--resume", model, "--epochs", "1", "--out", model, "--json");
        Assert.Equal(4, JsonLines(r)[0].GetProperty("epoch").GetInt32());
        Assert.Equal(["species"], ModelFile.Load(model).Info.LabelColumns);
        Assert.Equal("dense(128,relu) dense(64,relu)", ModelFile.Load(model).Info.Extra["model"]);
    }

    [Fact]
    public void Evaluate_reads_the_data_spec_split_seed_and_limit_from_the_file()
    {
        string model = P("seeded.safetensors");
        var t = LastJson(Ok("train", "--data", "digits", "--seed", "5", "--limit", "500", "--epochs", "3", "--out", model, "--json"));
        var e = LastJson(Ok("evaluate", "--model", model, "--json"));
        Assert.Equal("digits", e.GetProperty("data").GetString());
        Assert.Equal(100, e.GetProperty("samples").GetInt32());
        Assert.Equal(t.GetProperty("test_loss").GetDouble(), e.GetProperty("test_loss").GetDouble(), 6);
        // Another split seed is allowed when asked for, and gives other test rows.
        var other = LastJson(Ok("evaluate", "--model", model, "--seed", "6", "--json"));
        Assert.NotEqual(t.GetProperty("test_loss").GetDouble(), other.GetProperty("test_loss").GetDouble());
    }

    [Fact]
    public void Data_with_classes_the_resumed_model_does_not_know_is_refused()
    {
        string a = P("a.csv"), b = P("b.csv"), model = P("ab.safetensors");
        File.WriteAllText(a, AnimalsCsv());
        File.WriteAllText(b, AnimalsCsv().Replace("emu", "yak", StringComparison.Ordinal));
        Ok("train", "--data", "csv:" + a, "--epochs", "1", "--out", model, "--json");
        AssertUserError(Run("train", "--resume", model, "--data", "csv:" + b, "--epochs", "1"), "unknown label 'yak'");
        AssertUserError(Run("evaluate", "--model", model, "--data", "iris"), "ab.safetensors expects 2 input features, the data has 4");
    }

    internal static string TagsCsv()
    {
        var rng = new Rng(3);
        var lines = new List<string> { "x,y,tags" };
        for (int i = 0; i < 300; i++)
        {
            float x = rng.NextGaussian(), y = rng.NextGaussian();
            var tags = new[] { ("hot", x > 0), ("wet", y > 0.3f), ("windy", x + y > 0) }.Where(t => t.Item2).Select(t => t.Item1);
            lines.Add(FormattableString.Invariant($"{x},{y},{string.Join(';', tags)}"));
        }
        return string.Join('\n', lines);
    }

    internal static string AnimalsCsv()
    {
        var rng = new Rng(1);
        var lines = new List<string> { "a,b,species" };
        for (int i = 0; i < 120; i++)
        {
            int c = i % 3;
            lines.Add(FormattableString.Invariant($"{c * 2 + rng.NextGaussian() * 0.3f},{-c + rng.NextGaussian() * 0.3f},{new[] { "cat", "dog", "emu" }[c]}"));
        }
        return string.Join('\n', lines);
    }
}

/// <summary><c>--threads</c> is stored and reused on resume; it changes the process-wide thread count, so it runs alone.</summary>
[Collection(ProcessWideStateCollection.Name)]
public sealed class ResumeThreadsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-threads-").FullName;
    private readonly int _threads = Nabla.Kernels.WorkerPool.MaxThreads;

    public void Dispose()
    {
        Nabla.Kernels.WorkerPool.MaxThreads = _threads;
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void A_thread_count_given_to_train_is_stored_and_applies_again_on_resume()
    {
        string model = Path.Combine(_dir, "t.safetensors");
        Ok("train", "--data", "iris", "--epochs", "1", "--threads", "1", "--out", model, "--json");
        Assert.Equal("1", ModelFile.Load(model).Info.Extra["threads"]);
        Nabla.Kernels.WorkerPool.MaxThreads = 2;
        Ok("train", "--resume", model, "--epochs", "1", "--json");
        Assert.Equal(1, Nabla.Kernels.WorkerPool.MaxThreads);
        Ok("train", "--resume", model, "--epochs", "1", "--threads", "2", "--out", model, "--json");
        Assert.Equal(2, Nabla.Kernels.WorkerPool.MaxThreads);
        Assert.Equal("2", ModelFile.Load(model).Info.Extra["threads"]);
    }
}
