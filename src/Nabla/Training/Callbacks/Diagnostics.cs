using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training.Callbacks;

/// <summary>
/// Watches a network while it trains and says in plain words what is going wrong: vanishing or
/// exploding gradients, dead ReLU units, saturated sigmoid/tanh units, learning rates too large or
/// too small, overfitting, and where NaN or infinity first appeared. Per epoch it records, for
/// every parameter, the gradient norm, the weight norm and the update ratio ‖Δw‖/‖w‖ (in
/// <see cref="Parameters"/>), and for every layer of a <see cref="Sequential"/> the mean and
/// standard deviation of its outputs, the fraction of dead ReLU units and of saturated outputs
/// (in <see cref="Layers"/>); after each epoch its rules turn these into <see cref="Warnings"/>.
/// </summary>
/// <remarks>
/// It reads gradients through <see cref="Callback.OnBeforeStep"/> (the optimizer's
/// <c>BeforeStep</c> hook) and layer outputs as an <see cref="IStepObserver"/>, which puts
/// <c>Fit</c> in its layer-by-layer diagnostic mode; training without this callback is unchanged.
/// Its own work per step is a pass over the gradients and two over the activations, without
/// allocation, plus the update ratio's passes on every <see cref="UpdateRatioEvery"/>-th step.
/// The thresholds below are the rules' defaults, chosen so that a healthy run (the
/// <c>nabla train</c> defaults on digits) gets no warning.
/// </remarks>
/// <example><code>
/// var diagnostics = new Diagnostics();
/// model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 10, callbacks: [diagnostics]);
/// foreach (var w in diagnostics.Warnings) Console.WriteLine(w.Message);
/// </code></example>
public sealed class Diagnostics : Callback, IStepObserver
{
    private ParameterDiagnostics[] _parameters = [];
    private LayerDiagnostics[] _layers = [];
    private readonly List<DiagnosticWarning> _warnings = [];
    private Dictionary<Tensor, string> _names = new(ReferenceEqualityComparer.Instance);
    private int _epoch, _batch, _firstBadLayer = -1;
    private string[] _layerDescriptions = [];

    /// <summary>An early layer whose gradient norm is below this fraction of the last layer's has vanishing gradients (default 1e-3).</summary>
    public double VanishingRatio { get; init; } = 1e-3;

    /// <summary>An early layer whose gradient norm is above this multiple of the last layer's has exploding gradients (default 1e3).</summary>
    public double ExplodingRatio { get; init; } = 1e3;

    /// <summary>A ReLU layer with at least this fraction of dead units gets a warning (default 0.5).</summary>
    public double DeadReLUFraction { get; init; } = 0.5;

    /// <summary>A sigmoid or tanh layer with at least this fraction of saturated outputs gets a warning (default 0.5).</summary>
    public double SaturatedFraction { get; init; } = 0.5;

    /// <summary>A weight whose mean update ratio ‖Δw‖/‖w‖ reaches this gets a "learning rate too large" warning (default 0.1).</summary>
    public double LargeUpdateRatio { get; init; } = 0.1;

    /// <summary>
    /// A weight whose mean update ratio in the first epoch is positive and below this gets a "learning rate too
    /// small" warning (default 1e-5; later epochs are not judged, when small updates mean convergence).
    /// </summary>
    public double SmallUpdateRatio { get; init; } = 1e-5;

    /// <summary>Overfitting is reported when the validation loss has risen this many epochs in a row while the training loss fell (default 5).</summary>
    public int OverfittingEpochs { get; init; } = 5;

    /// <summary>
    /// The update ratio is measured on every this-many steps of an epoch, from its first (default 8): it
    /// needs a copy of every parameter before the step and two passes after it, as much memory traffic
    /// as an Adam update, and a sample describes the epoch as well.
    /// </summary>
    public int UpdateRatioEvery { get; init; } = 8;

    /// <summary>Every parameter's figures, in state-dict order.</summary>
    public IReadOnlyList<ParameterDiagnostics> Parameters => _parameters;

    /// <summary>Every layer's output figures (the children of a <see cref="Sequential"/>; else the model as one layer).</summary>
    public IReadOnlyList<LayerDiagnostics> Layers => _layers;

    /// <summary>The problems found so far, each once (at the epoch it first appeared), in the order found.</summary>
    public IReadOnlyList<DiagnosticWarning> Warnings => _warnings;

    /// <summary>Epochs recorded in the last (or current) run.</summary>
    public int EpochCount { get; private set; }

    /// <summary>
    /// Where NaN or infinity first appeared, e.g. <c>Exp([32, 10]) → [32, 10] in layer 3
    /// (Dense(64 → 10)) at epoch 2, batch 17</c>, or null while every value is finite.
    /// </summary>
    public string? FirstNonFinite { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        var model = RequireContext().Model;
        var named = model.NamedParameters().ToList();
        _parameters = [.. named.Select(p => new ParameterDiagnostics(p.Name, p.Role, p.Tensor))];
        _names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var p in named) _names.TryAdd(p.Tensor, p.Name);
        _layers = model is Sequential s ? [.. s.NamedChildren().Select(c => new LayerDiagnostics(c.Name, c.Module))] : [new LayerDiagnostics("model", model)];
        _layerDescriptions = [.. _layers.Select(l => l.Description)];
        _warnings.Clear();
        EpochCount = 0;
        FirstNonFinite = null;
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        _epoch = epoch;
        _batch = 0;
    }

    /// <inheritdoc/>
    public void OnLayerOutput(int index, Module layer, Tensor output)
    {
        if (index < _layers.Length && !_layers[index].Observe(output) && _firstBadLayer < 0) _firstBadLayer = index;
    }

    /// <inheritdoc/>
    public void OnLoss(Tensor loss)
    {
        int bad = _firstBadLayer;
        _firstBadLayer = -1;
        if (FirstNonFinite is not null || (bad < 0 && float.IsFinite(loss.Item()))) return;
        string origin = NonFiniteOrigin.Find(loss, t => _names.GetValueOrDefault(t)) ?? "an operation";
        string where = bad >= 0 ? $"layer {_layers[bad].Name} ({_layerDescriptions[bad]})" : "the loss";
        Report($"{origin} in {where}", bad >= 0 ? _layers[bad].Name : "loss");
    }

    /// <inheritdoc/>
    public override void OnBeforeStep()
    {
        bool measure = _batch % Math.Max(1, UpdateRatioEvery) == 0;
        for (int i = 0; i < _parameters.Length; i++)
            if (!_parameters[i].BeforeStep(measure) && FirstNonFinite is null)
                Report($"the gradient of {_parameters[i].Name} (backward pass)", _parameters[i].Name);
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(in BatchLogs logs)
    {
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].AfterStep();
        _batch++;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, EpochLogs logs)
    {
        var rates = new Dictionary<Tensor, float>(ReferenceEqualityComparer.Instance);
        foreach (var g in RequireContext().Optimizer.ParamGroups)
            foreach (var t in g.Parameters) rates[t] = (float)g.LearningRate;
        foreach (var p in _parameters)
        {
            p.LearningRate = rates.GetValueOrDefault(p.Tensor);
            p.EndEpoch();
        }
        foreach (var l in _layers) l.EndEpoch();
        EpochCount++;
        foreach (var w in DiagnosticRules.Evaluate(this, RequireContext().History, epoch))
            Add(w);
    }

    private void Report(string what, string layer)
    {
        FirstNonFinite = $"{what} at epoch {_epoch + 1}, batch {_batch + 1}";
        Add(new DiagnosticWarning(DiagnosticKind.NonFinite, layer, _epoch, $"non-finite values: first produced by {FirstNonFinite}"));
    }

    // Each problem is reported once, when first seen.
    private void Add(DiagnosticWarning w)
    {
        foreach (var seen in _warnings)
            if (seen.Kind == w.Kind && seen.Layer == w.Layer) return;
        _warnings.Add(w);
    }
}
