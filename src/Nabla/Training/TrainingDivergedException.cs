using System.Globalization;

namespace Nabla.Training;

/// <summary>
/// Training stopped because a batch loss was NaN or infinite, almost always a learning rate too
/// large for the data's scale (or unstandardized inputs). It is raised before the optimizer step,
/// so the parameters still hold the last finite update. <see cref="Callbacks.TerminateOnDivergence"/>
/// raises it too, for a finite loss that grew by orders of magnitude.
/// </summary>
public sealed class TrainingDivergedException : NablaException
{
    /// <summary>Creates the error for batch <paramref name="batch"/> of epoch <paramref name="epoch"/> (both counted from 0).</summary>
    /// <param name="epoch">Zero-based epoch, or null when the step ran outside <c>Fit</c>.</param>
    /// <param name="batch">Zero-based batch index within the epoch.</param>
    /// <param name="batchCount">Batches per epoch.</param>
    /// <param name="loss">The offending loss value (NaN or ±∞).</param>
    /// <param name="learningRate">The optimizer's learning rate at the time.</param>
    public TrainingDivergedException(int? epoch, int batch, int batchCount, float loss, float learningRate)
        : base(Describe(epoch, batch, batchCount, loss, learningRate))
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        LearningRate = learningRate;
    }

    /// <summary>Creates the error for a finite loss that exceeded <paramref name="factor"/> times the run's first loss <paramref name="first"/>.</summary>
    /// <param name="epoch">Zero-based epoch.</param>
    /// <param name="batch">Zero-based batch index within the epoch.</param>
    /// <param name="batchCount">Batches per epoch.</param>
    /// <param name="loss">The exploded batch loss.</param>
    /// <param name="learningRate">The optimizer's learning rate at the time.</param>
    /// <param name="first">The run's first batch loss.</param>
    /// <param name="factor">The growth that counts as divergence.</param>
    public TrainingDivergedException(int epoch, int batch, int batchCount, float loss, float learningRate, double first, double factor)
        : base(string.Format(CultureInfo.InvariantCulture,
            "training diverged: the loss grew to {0:G4} at epoch {1}, batch {2} of {3}, more than {4:G3} times its first value {5:G4}; try a lower learning rate (it is {6})",
            loss, epoch + 1, batch + 1, batchCount, factor, first, learningRate))
    {
        Epoch = epoch;
        Batch = batch;
        Loss = loss;
        LearningRate = learningRate;
    }

    /// <summary>Zero-based epoch in which the loss diverged, or null outside <c>Fit</c>.</summary>
    public int? Epoch { get; }

    /// <summary>Zero-based batch index within the epoch.</summary>
    public int Batch { get; }

    /// <summary>The batch loss that stopped training (NaN, ±∞, or a finite value that exploded).</summary>
    public float Loss { get; }

    /// <summary>The learning rate in use when the loss diverged.</summary>
    public float LearningRate { get; }

    private static string Describe(int? epoch, int batch, int batchCount, float loss, float lr)
    {
        var c = CultureInfo.InvariantCulture;
        // Counted from 1 in the message, as progress bars show them.
        string where = epoch is { } e
            ? string.Format(c, "epoch {0}, batch {1} of {2}", e + 1, batch + 1, batchCount)
            : string.Format(c, "batch {0} of {1}", batch + 1, batchCount);
        return string.Format(c, "training diverged: the loss became {0} at {1}; try a lower learning rate (it is {2})",
            float.IsNaN(loss) ? "NaN" : loss > 0 ? "+Infinity" : "-Infinity", where, lr);
    }
}
