namespace Nabla.Training.Callbacks;

/// <summary>Whether a monitored figure should go down or up.</summary>
public enum MonitorMode
{
    /// <summary>Max for names containing accuracy, f1, r2, precision or recall; min otherwise (losses, errors).</summary>
    Auto,
    /// <summary>Smaller is better.</summary>
    Min,
    /// <summary>Larger is better.</summary>
    Max,
}
