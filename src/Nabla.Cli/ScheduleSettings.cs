using System.CommandLine;
using System.Globalization;
using Nabla.IO;
using Nabla.Optim;
using Nabla.Optim.Schedules;
using Nabla.Training.Callbacks;

namespace Nabla.Cli;

/// <summary>The <c>--lr-schedule</c> options of <c>nabla train</c>.</summary>
internal sealed class ScheduleOptions
{
    public readonly Option<string?> Kind = new("--lr-schedule")
    {
        Description = "Learning-rate schedule, stepped after each epoch k: linear (η_k = (1 − k/τ)·η₀ + (k/τ)·η_τ until epoch τ, then η_τ), "
            + "step (η₀·γ^⌊k/size⌋), cosine (η_min + (η₀ − η_min)(1 + cos(πk/τ))/2), plateau (η·γ after more than --lr-patience epochs without val_loss improvement), or none; η₀ is --lr",
        HelpName = "none|linear|step|cosine|plateau",
    };
    public readonly Option<float?> Final = new("--lr-final") { Description = "linear: the final rate η_τ (default: η₀/100)" };
    public readonly Option<int?> DecayEpochs = new("--lr-decay-epochs") { Description = "linear, cosine: τ, the epoch at which the decay ends (default: the run's total epochs)" };
    public readonly Option<int?> StepSize = new("--lr-step-size") { Description = "step: epochs between reductions (default: 10)" };
    public readonly Option<float?> Gamma = new("--lr-gamma") { Description = "step, plateau: factor γ in (0, 1) applied at each reduction (default: 0.1)" };
    public readonly Option<int?> Patience = new("--lr-patience") { Description = "plateau: epochs without improvement tolerated before a reduction (default: 5)" };
    public readonly Option<float?> Min = new("--lr-min") { Description = "cosine: η_min; plateau: the lowest rate (default: 0)" };

    public IEnumerable<Option> All => [Kind, Final, DecayEpochs, StepSize, Gamma, Patience, Min];
}

/// <summary>
/// A learning-rate schedule for <c>nabla train</c> and its parameters. Model files store them
/// (<c>lr_schedule</c>, <c>lr0</c> = η₀, and the parameters the schedule uses, τ resolved), so
/// <c>--resume</c> continues the schedule at the epoch reached: closed-form schedules are advanced by
/// the epochs done; plateau replays the stored history's val_loss (loss without validation data).
/// </summary>
internal sealed record ScheduleSettings
{
    public static readonly string[] Kinds = ["none", "linear", "step", "cosine", "plateau"];

    public string Kind { get; init; } = "none";

    /// <summary>η₀, the rate the schedule starts from.</summary>
    public float BaseLearningRate { get; init; }

    public float? Final { get; init; }
    public int? DecayEpochs { get; init; }
    public int StepSize { get; init; } = 10;
    public float Gamma { get; init; } = 0.1f;
    public int Patience { get; init; } = 5;
    public float Min { get; init; }

    // Which schedules read each parameter: a parameter given for another schedule would be ignored, so it is refused.
    private static readonly (Func<ScheduleOptions, Option> Option, string[] Kinds)[] Uses =
    [
        (o => o.Final, ["linear"]), (o => o.DecayEpochs, ["linear", "cosine"]), (o => o.StepSize, ["step"]),
        (o => o.Gamma, ["step", "plateau"]), (o => o.Patience, ["plateau"]), (o => o.Min, ["cosine", "plateau"]),
    ];

    /// <summary>The settings of a new run (η₀ = <paramref name="learningRate"/>).</summary>
    public static ScheduleSettings FromOptions(ParseResult r, ScheduleOptions o, float learningRate)
    {
        var defaults = new ScheduleSettings();
        return Checked(r, o, new ScheduleSettings
        {
            Kind = (r.GetValue(o.Kind) ?? "none").Trim().ToLowerInvariant(), BaseLearningRate = learningRate,
            Final = r.GetValue(o.Final), DecayEpochs = r.GetValue(o.DecayEpochs), StepSize = r.GetValue(o.StepSize) ?? defaults.StepSize,
            Gamma = r.GetValue(o.Gamma) ?? defaults.Gamma, Patience = r.GetValue(o.Patience) ?? defaults.Patience, Min = r.GetValue(o.Min) ?? defaults.Min,
        });
    }

    /// <summary>
    /// The settings of a resumed run: the stored schedule and parameters unless options override them;
    /// η₀ is <paramref name="givenLearningRate"/> when <c>--lr</c> was given, else the stored one.
    /// </summary>
    public static ScheduleSettings Resume(ParseResult r, ScheduleOptions o, TrainingSettings.Stored stored, float? givenLearningRate)
    {
        var d = new ScheduleSettings();
        return Checked(r, o, new ScheduleSettings
        {
            Kind = (r.GetValue(o.Kind) ?? stored.Text("lr_schedule") ?? "none").Trim().ToLowerInvariant(),
            BaseLearningRate = givenLearningRate ?? stored.Number("lr0", float.Parse) ?? stored.Number("lr", float.Parse) ?? 1e-3f,
            Final = r.GetValue(o.Final) ?? stored.Number("lr_final", float.Parse),
            DecayEpochs = r.GetValue(o.DecayEpochs) ?? stored.Number("lr_decay_epochs", int.Parse),
            StepSize = r.GetValue(o.StepSize) ?? stored.Number("lr_step_size", int.Parse) ?? d.StepSize,
            Gamma = r.GetValue(o.Gamma) ?? stored.Number("lr_gamma", float.Parse) ?? d.Gamma,
            Patience = r.GetValue(o.Patience) ?? stored.Number("lr_patience", int.Parse) ?? d.Patience,
            Min = r.GetValue(o.Min) ?? stored.Number("lr_min", float.Parse) ?? d.Min,
        });
    }

    private static ScheduleSettings Checked(ParseResult r, ScheduleOptions o, ScheduleSettings s)
    {
        NablaCommand.Require(Kinds.Contains(s.Kind), $"unknown --lr-schedule '{s.Kind}' (known: {string.Join(", ", Kinds)}){DidYouMean.Hint(s.Kind, Kinds)}");
        foreach (var (option, kinds) in Uses)
            NablaCommand.Require(!TrainingSettings.IsGiven(r, option(o)) || kinds.Contains(s.Kind),
                $"{option(o).Name} applies to --lr-schedule {string.Join(" and ", kinds)}, not {s.Kind}");
        NablaCommand.Require(s.Final is null or >= 0 && float.IsFinite(s.Final ?? 0), $"--lr-final must be a number ≥ 0, got {s.Final}");
        NablaCommand.Require(s.DecayEpochs is null or >= 1, $"--lr-decay-epochs must be at least 1, got {s.DecayEpochs}");
        NablaCommand.Require(s.StepSize >= 1, $"--lr-step-size must be at least 1, got {s.StepSize}");
        NablaCommand.Require(s.Gamma > 0 && s.Gamma < 1, $"--lr-gamma must be in (0, 1), got {s.Gamma}");
        NablaCommand.Require(s.Patience >= 0, $"--lr-patience must be 0 or more, got {s.Patience}");
        NablaCommand.Require(s.Min >= 0 && float.IsFinite(s.Min), $"--lr-min must be a number ≥ 0, got {s.Min}");
        return s;
    }

    /// <summary>
    /// Sets <paramref name="optimizer"/>'s rates to the schedule's value after <paramref name="epochsDone"/>
    /// epochs and returns the callback that steps it after each epoch (null for none).
    /// </summary>
    public Callback? Attach(Optimizer optimizer, int epochsDone, int plannedEpochs, IReadOnlyList<Dictionary<string, double>> earlier, bool validation)
    {
        if (Kind == "none") return null;
        foreach (var g in optimizer.ParamGroups) g.LearningRate = BaseLearningRate;
        if (Kind == "plateau")
        {
            var plateau = new ReduceLROnPlateau(optimizer, factor: Gamma, patience: Patience, minLr: Min);
            string monitor = validation ? "val_loss" : "loss";
            foreach (var record in earlier.Take(epochsDone))
                if (record.TryGetValue(monitor, out var v) && double.IsFinite(v)) plateau.Step(v);
            return LearningRateScheduler.OnPlateau(monitor, plateau.Step);
        }
        LearningRateSchedule schedule = Kind switch
        {
            "linear" => new LinearDecay(optimizer, DecayEpochs ?? plannedEpochs, FinalRate),
            "step" => new StepLR(optimizer, StepSize, Gamma),
            _ => new CosineAnnealingLR(optimizer, DecayEpochs ?? plannedEpochs, Min),
        };
        for (int e = 0; e < epochsDone; e++) schedule.Step();
        return new LearningRateScheduler(schedule.Step);
    }

    /// <summary>For the run's first line: <c>, linear decay to 0.00001 by epoch 30</c> (empty for none).</summary>
    public string Describe(int plannedEpochs) => Kind switch
    {
        "linear" => $", linear decay to {Numbers.Significant(FinalRate, 6)} by epoch {DecayEpochs ?? plannedEpochs}",
        "step" => $", ×{Numbers.Significant(Gamma, 6)} every {StepSize} epochs",
        "cosine" => $", cosine to {Numbers.Significant(Min, 6)} by epoch {DecayEpochs ?? plannedEpochs}",
        "plateau" => $", ×{Numbers.Significant(Gamma, 6)} after {Patience} epochs without improvement",
        _ => "",
    };

    /// <summary>The model-file extras for these settings (τ resolved against <paramref name="plannedEpochs"/>).</summary>
    public IEnumerable<KeyValuePair<string, string>> ToExtra(int plannedEpochs)
    {
        yield return new("lr_schedule", Kind);
        if (Kind == "none") yield break;
        yield return new("lr0", Text(BaseLearningRate));
        if (Kind == "linear") yield return new("lr_final", Text(FinalRate));
        if (Kind is "linear" or "cosine") yield return new("lr_decay_epochs", (DecayEpochs ?? plannedEpochs).ToString(CultureInfo.InvariantCulture));
        if (Kind == "step") yield return new("lr_step_size", StepSize.ToString(CultureInfo.InvariantCulture));
        if (Kind is "step" or "plateau") yield return new("lr_gamma", Text(Gamma));
        if (Kind == "plateau") yield return new("lr_patience", Patience.ToString(CultureInfo.InvariantCulture));
        if (Kind is "cosine" or "plateau") yield return new("lr_min", Text(Min));
    }

    private float FinalRate => Final ?? BaseLearningRate / 100;

    private static string Text(float v) => v.ToString("R", CultureInfo.InvariantCulture);
}
