using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// How good generated images are, judged by a trained classifier of the real data: which classes the
/// generator covers, how sure the classifier is about its images, and how far the classifier's
/// penultimate-layer features of generated images are from those of real ones (Fréchet distance,
/// FID's formula with the judge in place of Inception). Lower distance, higher coverage and confidence are better.
/// </summary>
/// <param name="ClassCoverage">Classes that receive at least the minimum share of the generated images (argmax of the judge).</param>
/// <param name="Confidence">Mean over generated images of the judge's largest softmax probability.</param>
/// <param name="FrechetDistance">d² between the judge's penultimate features of generated and of real images (<see cref="Training.FrechetDistance"/>).</param>
/// <param name="ClassShares">Fraction of generated images assigned to each class.</param>
public sealed record GenerativeQuality(int ClassCoverage, double Confidence, double FrechetDistance, double[] ClassShares)
{
    /// <summary>
    /// Judges <paramref name="generated"/> against <paramref name="real"/> (both shaped as the judge's
    /// inputs). The judge is a <see cref="Sequential"/> classifier whose last layer gives the class
    /// logits; its other layers give the features (<c>judge[..^1]</c>).
    /// </summary>
    /// <param name="judge">A trained classifier; it is run in evaluation mode.</param>
    /// <param name="generated">Generated images [N, …].</param>
    /// <param name="real">Real images [M, …] (e.g. the test set).</param>
    /// <param name="minimumShare">A class counts as covered with at least this fraction of the generated images (0.05).</param>
    /// <param name="batchSize">Rows per forward batch.</param>
    /// <exception cref="ArgumentException">The judge has fewer than two layers.</exception>
    public static GenerativeQuality Measure(Sequential judge, Tensor generated, Tensor real, double minimumShare = 0.05, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(real);
        if (judge.Count < 2) throw new ArgumentException("the judge needs feature layers and a final classification layer", nameof(judge));
        var features = judge[..^1];
        var head = judge[judge.Count - 1];
        var fakeFeatures = features.Predict(generated, batchSize);
        var realFeatures = features.Predict(real, batchSize);
        var logits = head.Predict(fakeFeatures, batchSize);
        int n = logits.Shape[0], classes = logits.Shape[1];
        var values = logits.ToArray();
        var counts = new int[classes];
        double confidence = 0;
        for (int r = 0; r < n; r++)
        {
            var row = values.AsSpan(r * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            double sum = 0;
            for (int c = 0; c < classes; c++) sum += Math.Exp(row[c] - row[best]);
            confidence += 1 / sum; // softmax probability of the argmax
            counts[best]++;
        }
        var shares = counts.Select(c => (double)c / n).ToArray();
        return new GenerativeQuality(shares.Count(s => s >= minimumShare), confidence / n,
            Training.FrechetDistance.Compute(fakeFeatures, realFeatures), shares);
    }
}
