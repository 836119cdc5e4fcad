using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Random train/test (and train/validation/test) splits, like scikit-learn's <c>train_test_split</c>:
/// with stratification labels every class keeps its proportion in each part
/// (round(fraction × class count) of each class goes to the held-out part).
/// </summary>
public static class Splits
{
    /// <summary>Index sets (each shuffled) for a split of <paramref name="count"/> samples.</summary>
    /// <param name="count">Number of samples.</param>
    /// <param name="testFraction">Fraction in (0, 1) held out.</param>
    /// <param name="rng">The generator.</param>
    /// <param name="stratify">Class label per sample (empty: no stratification).</param>
    /// <exception cref="ArgumentException">A fraction outside (0, 1) or a label count different from <paramref name="count"/>.</exception>
    public static (int[] Train, int[] Test) TrainTestIndices(int count, double testFraction, Rng rng, ReadOnlySpan<float> stratify = default)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(testFraction > 0 && testFraction < 1)) throw new ArgumentException($"test fraction must be in (0, 1), got {testFraction}", nameof(testFraction));
        if (!stratify.IsEmpty && stratify.Length != count)
            throw new ArgumentException($"{stratify.Length} stratification labels for {count} samples", nameof(stratify));
        var train = new List<int>();
        var test = new List<int>();
        if (stratify.IsEmpty)
        {
            Take(Enumerable.Range(0, count).ToArray(), testFraction, rng, train, test);
        }
        else
        {
            var groups = new SortedDictionary<float, List<int>>();
            for (int i = 0; i < count; i++)
            {
                if (!groups.TryGetValue(stratify[i], out var g)) groups[stratify[i]] = g = [];
                g.Add(i);
            }
            foreach (var g in groups.Values) Take([.. g], testFraction, rng, train, test);
        }
        int[] tr = [.. train], te = [.. test];
        rng.Shuffle(tr.AsSpan());
        rng.Shuffle(te.AsSpan());
        return (tr, te);
    }

    private static void Take(int[] members, double fraction, Rng rng, List<int> train, List<int> test)
    {
        rng.Shuffle(members.AsSpan());
        int held = (int)Math.Round(members.Length * fraction);
        test.AddRange(members[..held]);
        train.AddRange(members[held..]);
    }

    /// <summary>Splits <paramref name="dataset"/> into train and test parts (copies).</summary>
    /// <param name="dataset">The samples.</param>
    /// <param name="testFraction">Fraction held out for testing.</param>
    /// <param name="rng">The generator.</param>
    /// <param name="stratify">Class labels to keep proportional, e.g. <c>dataset.Y</c> (null: plain random).</param>
    public static (Dataset Train, Dataset Test) TrainTestSplit(Dataset dataset, double testFraction, Rng rng, Tensor? stratify = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var (tr, te) = TrainTestIndices(dataset.Count, testFraction, rng, stratify is null ? default : stratify.ToArray());
        return (dataset.Subset(tr), dataset.Subset(te));
    }

    /// <summary>
    /// Splits into train, validation and test parts: first the test fraction of the whole, then the
    /// validation fraction (of the whole) from the rest, both stratified when labels are given.
    /// </summary>
    public static (Dataset Train, Dataset Validation, Dataset Test) TrainValidationTestSplit(Dataset dataset, double validationFraction,
        double testFraction, Rng rng, Tensor? stratify = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validationFraction > 0 && testFraction > 0 && validationFraction + testFraction < 1))
            throw new ArgumentException($"validation ({validationFraction}) and test ({testFraction}) fractions must be > 0 and sum below 1", nameof(validationFraction));
        var labels = stratify?.ToArray();
        var (rest, te) = TrainTestIndices(dataset.Count, testFraction, rng, labels);
        float[]? restLabels = labels is null ? null : [.. rest.Select(i => labels[i])];
        var (tr, va) = TrainTestIndices(rest.Length, validationFraction / (1 - testFraction), rng, restLabels);
        return (dataset.Subset([.. tr.Select(i => rest[i])]), dataset.Subset([.. va.Select(i => rest[i])]), dataset.Subset(te));
    }
}
