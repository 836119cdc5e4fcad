using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>The update of skip-gram with negative sampling (word2vec) for one (input word, output word) pair.</summary>
public static class SkipGramKernels
{
    /// <summary>
    /// One logistic step on the pair's score f = input·output with label ℓ (1 for the true context
    /// word, 0 for a negative sample) and learning rate α: g = α·(ℓ − σ(f)); then
    /// <paramref name="inputGrad"/> += g·output and output += g·input (the input word's own update is
    /// collected in <paramref name="inputGrad"/> and applied after all its pairs, as word2vec does).
    /// Returns −log σ(±f), the pair's loss.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Pair(ReadOnlySpan<float> input, Span<float> output, Span<float> inputGrad, float label, float alpha)
    {
        float f = Primitives.Dot(input, output);
        float sigmoid = 1f / (1f + MathF.Exp(-f));
        float g = alpha * (label - sigmoid);
        Primitives.MultiplyAdd(output, g, inputGrad, inputGrad);
        Primitives.MultiplyAdd(input, g, output, output);
        float p = label > 0.5f ? sigmoid : 1f - sigmoid;
        return -MathF.Log(MathF.Max(p, 1e-7f));
    }
}
