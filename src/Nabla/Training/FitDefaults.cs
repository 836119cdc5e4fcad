using Nabla.Data;

namespace Nabla.Training;

/// <summary>The one source of the defaults of <see cref="ModelTraining"/>'s overloads.</summary>
public static class FitDefaults
{
    /// <summary>Epochs when none are given (Keras: 1).</summary>
    public const int Epochs = 1;

    /// <summary>Samples per batch for Fit, Evaluate and Predict: the data loader's default (Keras: 32).</summary>
    public const int BatchSize = DataLoader.DefaultBatchSize;

    /// <summary>Seed of the shuffling generator when shuffling is on and no <c>Rng</c> is passed, so runs stay reproducible.</summary>
    public const ulong ShuffleSeed = 0;
}
