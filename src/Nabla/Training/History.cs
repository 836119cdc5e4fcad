namespace Nabla.Training;

/// <summary>
/// The figures of one epoch, by Keras' names: <c>loss</c>, each metric's name, <c>val_loss</c> and
/// <c>val_</c>+metric when validating, <c>lr</c> (learning rate during the epoch) and <c>seconds</c>.
/// </summary>
public sealed class EpochLogs
{
    private readonly Dictionary<string, double> _values = [];

    /// <summary>Creates logs for epoch <paramref name="epoch"/> (0-based).</summary>
    public EpochLogs(int epoch) => Epoch = epoch;

    /// <summary>The epoch, counted from 0.</summary>
    public int Epoch { get; }

    /// <summary>Every figure by name.</summary>
    public IReadOnlyDictionary<string, double> Values => _values;

    /// <summary>Reads or sets a figure.</summary>
    /// <exception cref="KeyNotFoundException">Reading a name that was not logged; the message lists the logged names.</exception>
    public double this[string name]
    {
        get => _values.TryGetValue(name, out var v) ? v
            : throw new KeyNotFoundException($"epoch logs have no '{name}'; they have {string.Join(", ", _values.Keys)}");
        set => _values[name] = value;
    }

    /// <summary>Reads a figure if logged.</summary>
    public bool TryGetValue(string name, out double value) => _values.TryGetValue(name, out value);

    /// <summary>The training loss (mean over the epoch's samples).</summary>
    public double Loss => this["loss"];

    /// <summary>The validation loss, or NaN without validation data.</summary>
    public double ValidationLoss => TryGetValue("val_loss", out var v) ? v : double.NaN;

    /// <summary>The learning rate used during the epoch.</summary>
    public double LearningRate => this["lr"];

    /// <summary>Wall-clock seconds of the epoch (training and validation).</summary>
    public double Seconds => this["seconds"];

    /// <inheritdoc/>
    public override string ToString() => $"epoch {Epoch + 1}: " + string.Join(", ", _values.Select(kv => $"{kv.Key}={kv.Value:G4}"));
}

/// <summary>What <c>Fit</c> returns: the logs of every epoch that ran, in order.</summary>
public sealed class History
{
    private readonly List<EpochLogs> _epochs = [];

    /// <summary>The epochs' logs.</summary>
    public IReadOnlyList<EpochLogs> Epochs => _epochs;

    /// <summary>One figure across the epochs, like Keras' <c>history.history["val_loss"]</c>.</summary>
    public IReadOnlyList<double> this[string name] => [.. _epochs.Select(e => e[name])];

    /// <summary>Training loss per epoch.</summary>
    public IReadOnlyList<double> Loss => this["loss"];

    /// <summary>Validation loss per epoch (empty without validation data).</summary>
    public IReadOnlyList<double> ValidationLoss => _epochs.Count > 0 && _epochs[0].Values.ContainsKey("val_loss") ? this["val_loss"] : [];

    /// <summary>True when a callback stopped training before the requested number of epochs.</summary>
    public bool StoppedEarly { get; internal set; }

    internal void Add(EpochLogs logs) => _epochs.Add(logs);
}
