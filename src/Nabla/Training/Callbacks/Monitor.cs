namespace Nabla.Training.Callbacks;

/// <summary>Tracks the best value of a monitored figure.</summary>
internal sealed class Monitor
{
    private readonly bool _max;
    private readonly double _minDelta;

    public Monitor(string name, MonitorMode mode, double minDelta)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (minDelta < 0 || double.IsNaN(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), $"minDelta must be ≥ 0, got {minDelta}");
        Name = name;
        _max = mode switch
        {
            MonitorMode.Max => true,
            MonitorMode.Min => false,
            _ => IsHigherBetter(name),
        };
        _minDelta = minDelta;
        Best = _max ? double.NegativeInfinity : double.PositiveInfinity;
    }

    public string Name { get; }

    public double Best { get; private set; }

    public int BestEpoch { get; private set; } = -1;

    public static bool IsHigherBetter(string name)
    {
        string n = name.ToLowerInvariant();
        return n.Contains("acc", StringComparison.Ordinal) || n.Contains("f1", StringComparison.Ordinal) || n.Contains("r2", StringComparison.Ordinal)
            || n.Contains("precision", StringComparison.Ordinal) || n.Contains("recall", StringComparison.Ordinal);
    }

    /// <summary>Reads the figure from the logs; an unknown name is an error naming the logged ones.</summary>
    public double Read(EpochLogs logs) => logs[Name];

    /// <summary>True (and recorded) when <paramref name="value"/> beats the best by more than minDelta.</summary>
    public bool Improves(double value, int epoch)
    {
        if (double.IsNaN(value)) return false;
        bool better = _max ? value > Best + _minDelta : value < Best - _minDelta;
        if (!better) return false;
        Best = value;
        BestEpoch = epoch;
        return true;
    }
}
