using Nabla.IO;
using static Nabla.Tests.Cli.Cli;

namespace Nabla.Tests.Cli;

/// <summary>
/// <c>nabla train --from MODEL --drop-last K [--freeze | --base-lr-scale X]</c> (transfer learning) and
/// <c>--pretrain layerwise</c>, end to end on the embedded digits.
/// </summary>
public sealed class TransferCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-transfer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private string Base()
    {
        string file = P("base.nabla");
        if (!File.Exists(file)) Ok("train", "--epochs", "4", "--out", file, "--json");
        return file;
    }

    private static float[] W(string file, string key) => Safetensors.Load(file).Tensors[key].ToArray();

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());

    [Fact]
    public void A_frozen_base_keeps_its_weights_and_a_new_head_learns_the_task()
    {
        string source = Base(), target = P("t.nabla");
        var done = LastJson(Ok("train", "--from", source, "--drop-last", "1", "--freeze", "--epochs", "5", "--out", target, "--json"));
        Assert.True(done.GetProperty("test_accuracy").GetDouble() > 0.9, $"test accuracy {done.GetProperty("test_accuracy").GetDouble()}");
        // The base is written one module per layer, so the file rebuilds the same modules and names.
        Assert.Equal("dense(128) relu dense(64) relu dense(10)", done.GetProperty("architecture").GetString());
        foreach (var key in new[] { "0.weight", "0.bias", "2.weight", "2.bias" }) Assert.Equal(W(source, key), W(target, key));
        Assert.NotEqual(W(source, "4.weight"), W(target, "4.weight"));
        var (_, info) = ModelFile.Load(target);
        Assert.Equal(source, info.Extra["from"]);
        Assert.Equal("true", info.Extra["freeze"]);
        // The saved model is an ordinary model file: evaluate reads it and finds the same figures.
        var evaluated = LastJson(Ok("evaluate", "--model", target, "--json"));
        Assert.Equal(done.GetProperty("test_accuracy").GetDouble(), evaluated.GetProperty("test_accuracy").GetDouble(), 6);
    }

    [Fact]
    public void The_encoder_of_an_autoencoder_becomes_the_frozen_base_of_a_classifier_with_model_layers_after_it()
    {
        string ae = P("ae.nabla"), target = P("clf.nabla");
        Ok("train", "--task", "autoencode", "--model", "dense(32,relu) dense(16,relu) dense(32,relu)", "--epochs", "5", "--out", ae, "--json");
        string text = Ok("train", "--from", ae, "--drop-last", "3", "--freeze", "--model", "dense(24,relu)", "--epochs", "8", "--out", target);
        Assert.Contains($"from {ae} (last 3 layers dropped, base frozen, 658 parameters trained)", text, StringComparison.Ordinal);
        var (_, info) = ModelFile.Load(target);
        Assert.Equal("dense(32) relu dense(16) relu dense(24,relu) dense(10)", info.Architecture);
        Assert.Equal("multiclass", info.Task);
        // The base keeps the input standardization it was trained with.
        var (_, source) = ModelFile.Load(ae);
        Assert.Equal(source.InputMean, info.InputMean);
        Assert.Equal(W(ae, "2.weight"), W(target, "2.weight"));
        var figures = LastJson(Ok("evaluate", "--model", target, "--json"));
        Assert.True(figures.GetProperty("test_accuracy").GetDouble() > 0.8, $"test accuracy {figures.GetProperty("test_accuracy").GetDouble()}");
    }

    [Fact]
    public void A_resumed_transfer_run_keeps_its_base_frozen_or_slower()
    {
        string source = Base(), frozen = P("frozen.nabla"), slow = P("slow.nabla");
        Ok("train", "--from", source, "--freeze", "--epochs", "1", "--out", frozen, "--json");
        Ok("train", "--resume", frozen, "--epochs", "2", "--out", frozen, "--json");
        Assert.Equal("4", ModelFile.Load(frozen).Info.Extra["base_layers"]);
        Assert.Equal(W(source, "0.weight"), W(frozen, "0.weight"));
        Assert.NotEqual(W(source, "4.weight"), W(frozen, "4.weight"));
        // The optimizer state of two parameter groups restores into the same two groups.
        Ok("train", "--from", source, "--base-lr-scale", "0.1", "--epochs", "1", "--out", slow, "--json");
        string resumed = Ok("train", "--resume", slow, "--epochs", "1", "--out", slow);
        Assert.DoesNotContain("the optimizer state starts afresh", resumed, StringComparison.Ordinal);
        Assert.NotEqual(W(source, "0.weight"), W(slow, "0.weight"));
    }

    [Fact]
    public void A_base_lr_scale_moves_the_base_less_than_plain_fine_tuning()
    {
        string source = Base(), slow = P("slow.nabla"), fast = P("fast.nabla");
        Ok("train", "--from", source, "--base-lr-scale", "0.1", "--epochs", "2", "--out", slow, "--json");
        Ok("train", "--from", source, "--epochs", "2", "--out", fast, "--json");
        double slowMove = Distance(W(source, "0.weight"), W(slow, "0.weight")), fastMove = Distance(W(source, "0.weight"), W(fast, "0.weight"));
        Assert.True(slowMove > 0, "the base did not train at all");
        Assert.True(slowMove < 0.5 * fastMove, $"base moved {slowMove} at 0.1 × lr, {fastMove} at lr");
    }

    [Fact]
    public void Layerwise_pretraining_runs_before_supervised_training_and_changes_its_start()
    {
        string[] common = ["train", "--model", "dense(48,relu) dense(24,relu)", "--epochs", "3"];
        string text = Ok([.. common, "--pretrain", "layerwise", "--pretrain-epochs", "1"]);
        Assert.Contains("pretrain layer 0 (64 → 48): reconstruction loss", text, StringComparison.Ordinal);
        Assert.Contains("pretrain layer 2 (48 → 24): reconstruction loss", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pretrain layer 4", text, StringComparison.Ordinal); // the output layer is left alone
        var pretrained = JsonLines(Ok([.. common, "--pretrain", "layerwise", "--pretrain-epochs", "1", "--json"]));
        var scratch = JsonLines(Ok([.. common, "--json"]));
        Assert.NotEqual(scratch[0].GetProperty("loss").GetDouble(), pretrained[0].GetProperty("loss").GetDouble());
        Assert.True(pretrained[^1].GetProperty("test_accuracy").GetDouble() > 0.85, $"test accuracy {pretrained[^1].GetProperty("test_accuracy").GetDouble()}");
    }

    [Fact]
    public void Transfer_and_pretraining_mistakes_are_one_line_and_exit_2()
    {
        string source = Base(), iris = P("iris.nabla");
        Ok("train", "--data", "iris", "--epochs", "1", "--out", iris, "--json");
        AssertUserError(Run("train", "--from", iris), $"--from {iris} takes inputs of shape [4] (dense(128,relu) dense(64,relu) dense(3)), but digits has samples of shape [64]");
        AssertUserError(Run("train", "--from", source, "--drop-last", "5"), $"--drop-last 5 would drop every layer of {source}, which has 5");
        AssertUserError(Run("train", "--from", source, "--drop-last", "0", "--freeze"), "--freeze fixes every layer with parameters");
        AssertUserError(Run("train", "--from", source, "--resume", source), "--from starts a new model from a trained one and --resume continues a saved run: give one of them");
        AssertUserError(Run("train", "--freeze"), "--freeze applies to transfer learning: give --from MODEL");
        AssertUserError(Run("train", "--drop-last", "2"), "--drop-last applies to transfer learning");
        AssertUserError(Run("train", "--from", source, "--freeze", "--base-lr-scale", "0.1"), "give one of them");
        AssertUserError(Run("train", "--from", source, "--base-lr-scale", "0"), "--base-lr-scale must be a positive number");
        AssertUserError(Run("train", "--from", source, "--dropout", "0.2"), "with --from write dropout(P) into --model");
        AssertUserError(Run("train", "--from", P("missing.nabla")), "model file not found");
        AssertUserError(Run("train", "--from", source, "--out", source), "--out");
        AssertUserError(Run("train", "--pretrain", "greedy"), "unknown --pretrain 'greedy' (known: layerwise)");
        AssertUserError(Run("train", "--pretrain-epochs", "3"), "--pretrain-epochs applies to --pretrain layerwise");
        AssertUserError(Run("train", "--pretrain", "layerwise", "--model", "batchnorm dense(16,relu)", "--epochs", "1"), "--pretrain layerwise pre-trains MLPs of dense layers; layer 0 of the model is BatchNorm1d");
        AssertUserError(Run("train", "--pretrain", "layerwise", "--from", source), "--pretrain layerwise pre-trains a new model");
    }
}
