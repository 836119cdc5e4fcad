using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tutorials;

/// <summary>
/// scikit-learn's digits (1,797 images of 8×8 pixels, embedded in the library), split as most tutorials use it:
/// 20 % test (stratified, seed 0), then 10 % of the rest for validation; standardized with training statistics.
/// </summary>
public sealed record Digits(Dataset Train, Dataset Validation, Dataset Test)
{
    /// <summary>The split, standardized per pixel with the training rows' mean and deviation.</summary>
    public static Digits Load(ulong seed = 0)
    {
        var digits = SklearnCsv.LoadEmbedded("digits");
        var (rest, test) = Splits.TrainTestSplit(new Dataset(digits.Features, digits.Labels), 0.2, new Rng(seed), stratify: digits.Labels);
        var (train, validation) = Splits.TrainTestSplit(rest, 0.1, new Rng(seed + 1), stratify: rest.Y);
        var scaler = Standardizer.Fit(train.X);
        return new Digits(
            new Dataset(scaler.Transform(train.X), train.Y),
            new Dataset(scaler.Transform(validation.X), validation.Y),
            new Dataset(scaler.Transform(test.X), test.Y));
    }

    /// <summary>The raw pixels (0–16) of the same split, for models that want them unscaled.</summary>
    public static Digits LoadRaw(ulong seed = 0)
    {
        var digits = SklearnCsv.LoadEmbedded("digits");
        var (rest, test) = Splits.TrainTestSplit(new Dataset(digits.Features, digits.Labels), 0.2, new Rng(seed), stratify: digits.Labels);
        var (train, validation) = Splits.TrainTestSplit(rest, 0.1, new Rng(seed + 1), stratify: rest.Y);
        return new Digits(train, validation, test);
    }
}
