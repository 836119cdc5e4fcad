using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn.Losses;

/// <summary>Shape checks and reductions shared by the losses, so every loss words its errors alike.</summary>
internal static class LossSupport
{
    /// <summary>Throws unless prediction and target have exactly the same shape (losses never broadcast targets silently).</summary>
    public static void SameShape(string loss, Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Shape != target.Shape)
            throw new ShapeMismatchException($"{loss}: prediction shape {prediction.Shape} and target shape {target.Shape} must be equal");
    }

    /// <summary>Mean, sum or identity of per-element losses.</summary>
    public static Tensor Reduce(Tensor perElement, Reduction reduction) => reduction switch
    {
        Reduction.Mean => perElement.Mean(),
        Reduction.Sum => perElement.Sum(),
        _ => perElement,
    };

    /// <summary>
    /// Reads class index targets (a float tensor [N] of whole numbers) as row r's class, checking it
    /// is a whole number in [0, classes); the error names the row and the value.
    /// </summary>
    public static int ClassIndex(string loss, ReadOnlySpan<float> targets, int row, int classes, int? ignoreIndex = null)
    {
        float v = targets[row];
        int c = (int)v;
        if (c != v || c < 0 || c >= classes)
            throw new ArgumentOutOfRangeException("target", v, ignoreIndex is { } ignore
                ? $"{loss}: target of row {row} is {v}, neither a class index in [0, {classes}) nor the ignore index {ignore}"
                : $"{loss}: target of row {row} is {v}, not a class index in [0, {classes})");
        return c;
    }

    /// <summary>Checks logits/log-probabilities [N, C] against index targets [N] and optional class weights [C].</summary>
    public static void CheckIndexTargets(string loss, Tensor scores, Tensor target, Tensor? weight)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(target);
        if (scores.Rank != 2)
            throw new ShapeMismatchException($"{loss}: prediction must be [N, C], got shape {scores.Shape} (target shape {target.Shape})");
        if (target.Rank != 1 || target.Shape[0] != scores.Shape[0])
            throw new ShapeMismatchException($"{loss}: class-index target must be [N] = [{scores.Shape[0]}] for prediction shape {scores.Shape}, got target shape {target.Shape}");
        // Once per call, before any row: a class count float targets cannot address exactly is refused whatever the rows hold.
        FloatIndex.CheckCount(scores.Shape[1], loss);
        CheckWeight(loss, scores, weight);
    }

    /// <summary>Checks optional class weights [C] against scores [N, C].</summary>
    public static void CheckWeight(string loss, Tensor scores, Tensor? weight)
    {
        if (weight is not null && (weight.Rank != 1 || weight.Shape[0] != scores.Shape[1]))
            throw new ShapeMismatchException($"{loss}: class weight must be [C] = [{scores.Shape[1]}] for prediction shape {scores.Shape}, got weight shape {weight.Shape}");
    }
}
