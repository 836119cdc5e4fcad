using System.CommandLine;
using System.Globalization;
using Nabla.Data;
using Nabla.IO;

namespace Nabla.Cli;

/// <summary>
/// What <see cref="ReuseOptions"/> set for one <c>nabla train</c> run, checked: options that would be
/// ignored or that contradict each other are refused in one line naming them.
/// </summary>
internal sealed record ReuseSettings
{
    /// <summary>The model file to transfer from (<c>--from</c>), or null.</summary>
    public string? From { get; init; }

    /// <summary>Layers (modules) dropped from the end of the <c>--from</c> model.</summary>
    public int DropLast { get; init; }

    public bool Freeze { get; init; }

    /// <summary>The base's learning rate as a fraction of <c>--lr</c> (null: the same rate).</summary>
    public float? BaseLrScale { get; init; }

    /// <summary>How many layers the base kept from the <c>--from</c> model has (set once it is loaded).</summary>
    public int? BaseLayers { get; init; }

    /// <summary>Epochs of greedy layer-wise pre-training per hidden layer (0: none).</summary>
    public int PretrainEpochs { get; init; }

    /// <summary>True for <c>--task autoencode</c>: targets are the inputs.</summary>
    public bool Autoencode { get; init; }

    /// <summary>Standard deviation of the Gaussian noise added to training inputs (denoising autoencoder).</summary>
    public float Noise { get; init; }

    /// <summary>Where to write the reconstruction grid PNG, or null.</summary>
    public string? Reconstructions { get; init; }

    /// <summary>The settings the options give.</summary>
    /// <exception cref="UsageException">An option that needs another one, a contradiction, or a value out of range.</exception>
    public static ReuseSettings FromOptions(ParseResult r, TrainOptions o)
    {
        var u = o.Reuse;
        bool Given(Option option) => TrainingSettings.IsGiven(r, option);
        string? from = r.GetValue(u.From);
        bool autoencode = AutoencodeTask.Named(r.GetValue(o.Task));
        foreach (var option in new Option[] { u.DropLast, u.Freeze, u.BaseLrScale })
            NablaCommand.Require(!Given(option) || from is not null, $"{option.Name} applies to transfer learning: give --from MODEL");
        NablaCommand.Require(from is null || !Given(o.Resume), "--from starts a new model from a trained one and --resume continues a saved run: give one of them");
        int dropLast = r.GetValue(u.DropLast);
        NablaCommand.Require(dropLast >= 0, $"--drop-last must be 0 or more, got {dropLast}");
        float? scale = r.GetValue(u.BaseLrScale);
        NablaCommand.Require(scale is null || (scale > 0 && float.IsFinite(scale.Value)), $"--base-lr-scale must be a positive number, got {scale}");
        NablaCommand.Require(scale is null || !r.GetValue(u.Freeze), "--base-lr-scale trains the base at a lower rate and --freeze keeps it fixed: give one of them");
        NablaCommand.Require(from is null || r.GetValue(o.Dropout) == 0, "--dropout inserts dropout into a new model's SPEC; with --from write dropout(P) into --model");

        string? pretrain = r.GetValue(u.Pretrain)?.Trim().ToLowerInvariant();
        NablaCommand.Require(pretrain is null or "layerwise", $"unknown --pretrain '{r.GetValue(u.Pretrain)}' (known: layerwise)");
        NablaCommand.Require(!Given(u.PretrainEpochs) || pretrain is not null, "--pretrain-epochs applies to --pretrain layerwise");
        int pretrainEpochs = r.GetValue(u.PretrainEpochs);
        NablaCommand.Require(pretrainEpochs >= 1, $"--pretrain-epochs must be at least 1, got {pretrainEpochs}");
        NablaCommand.Require(pretrain is null || from is null, "--pretrain layerwise pre-trains a new model; --from starts from a trained one: give one of them");
        NablaCommand.Require(pretrain is null || !Given(o.Resume), "--pretrain layerwise applies to a new model, not to --resume");

        NablaCommand.Require(!autoencode || !Given(o.Resume), "--task autoencode starts a new autoencoder; a resumed model keeps its task (leave --task out)");
        NablaCommand.Require(!Given(u.Noise) || autoencode, "--noise applies to --task autoencode (a denoising autoencoder)");
        float noise = r.GetValue(u.Noise);
        NablaCommand.Require(noise >= 0 && float.IsFinite(noise), $"--noise must be a number ≥ 0, got {noise}");
        NablaCommand.Require(!Given(u.Reconstructions) || autoencode, "--reconstructions applies to --task autoencode");
        return new ReuseSettings
        {
            From = from, DropLast = dropLast, Freeze = r.GetValue(u.Freeze), BaseLrScale = scale,
            PretrainEpochs = pretrain is null ? 0 : pretrainEpochs, Autoencode = autoencode, Noise = noise,
            Reconstructions = r.GetValue(u.Reconstructions),
        };
    }

    /// <summary>Refuses to resume a model these options cannot continue: an autoencoder (its data is made here, not stored).</summary>
    public static void CheckResume(string file, ModelInfo previous)
    {
        if (previous.Extra.GetValueOrDefault("task") == AutoencodeTask.Name)
            throw new UsageException($"{file} is an autoencoder (--task autoencode); resuming one is not supported: train a new one");
    }

    /// <summary>Refuses combinations with the training settings that would be ignored.</summary>
    public void Check(TrainingSettings s)
    {
        NablaCommand.Require(BaseLrScale is null || s.Optimizer != "sparseadam", "--base-lr-scale needs an optimizer with parameter groups, not sparseadam");
    }

    /// <summary>Refuses options the loaded data cannot use.</summary>
    public void Check(LoadedData data)
    {
        NablaCommand.Require(Reconstructions is null || data.IsImage, $"--reconstructions draws images; {data.Name} is not image data");
    }

    /// <summary>The task's name in reports: <c>autoencode</c>, or the data's task.</summary>
    public string TaskName(TaskKind task) => Autoencode ? AutoencodeTask.Name : task.ToName();

    /// <summary>The full SPEC of a new model: the SPEC (or the transferred base and <c>--model</c>) with the task's output layer.</summary>
    public string Spec(TrainingSettings s, bool modelGiven, LoadedData data, TransferBase? transfer, int? vocabulary, float? embeddingStd = null)
    {
        string completed = transfer is not null
            ? transfer.Spec(modelGiven ? s.Model : null, data.Outputs)
            : ModelPlan.Complete(s.Model, data.Outputs, s.Dropout, vocabulary, embeddingStd);
        return Autoencode ? AutoencodeTask.OutputSpec(completed, data.IsImage) : completed;
    }

    /// <summary>What the model line adds for transfer learning, e.g. <c>, from base.nabla (last 1 layer dropped, 4 layers frozen)</c>.</summary>
    public string Describe(Nabla.Nn.Module model)
    {
        if (From is null) return PretrainEpochs > 0 ? $", layer-wise pre-training {PretrainEpochs} epochs per hidden layer" : "";
        int trainable = model.Parameters().Where(p => p.RequiresGrad).Sum(p => p.Numel);
        string how = Freeze ? $"base frozen, {trainable.ToString("N0", CultureInfo.InvariantCulture)} parameters trained"
            : BaseLrScale is float scale ? $"base at {scale.ToString("R", CultureInfo.InvariantCulture)} × lr" : "base fine-tuned";
        return $", from {From} (last {DropLast} layer{(DropLast == 1 ? "" : "s")} dropped, {how})";
    }

    /// <summary>The extras a model file stores for these settings (next to <see cref="TrainingSettings.ToExtra"/>'s).</summary>
    public IEnumerable<KeyValuePair<string, string>> ToExtra()
    {
        string Text(float v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (From is not null)
        {
            yield return new("from", From);
            yield return new("drop_last", DropLast.ToString(CultureInfo.InvariantCulture));
            if (BaseLayers is int layers) yield return new("base_layers", layers.ToString(CultureInfo.InvariantCulture));
            yield return new("freeze", Freeze ? "true" : "false");
            if (BaseLrScale is float scale) yield return new("base_lr_scale", Text(scale));
        }
        if (PretrainEpochs > 0)
        {
            yield return new("pretrain", "layerwise");
            yield return new("pretrain_epochs", PretrainEpochs.ToString(CultureInfo.InvariantCulture));
        }
        if (Autoencode)
        {
            yield return new("task", AutoencodeTask.Name);
            yield return new("noise", Text(Noise));
        }
    }
}
