using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Pieces the transformer layers share: the feed-forward network and argument checks.</summary>
internal static class TransformerBlocks
{
    /// <summary>True for "gelu", false for "relu" (PyTorch's two string activations).</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static bool IsGelu(string activation)
    {
        ArgumentNullException.ThrowIfNull(activation);
        return activation.Trim().ToLowerInvariant() switch
        {
            "relu" => false,
            "gelu" => true,
            _ => throw new ArgumentException($"transformer activation must be 'relu' or 'gelu', got '{activation}'", nameof(activation)),
        };
    }

    /// <summary>linear2(dropout(act(linear1(x)))).</summary>
    public static Tensor FeedForward(Tensor x, Linear linear1, Dropout dropout, Linear linear2, bool gelu)
    {
        var h = linear1.Forward(x);
        // ReLU and a training-mode dropout as one op: same numbers and draws, one [N, ff] tensor fewer.
        if (!gelu && dropout.IsTraining && dropout.P > 0f) return linear2.Forward(DropoutOp.ReluDropout(h, dropout.P, dropout.Rng));
        h = gelu ? h.Gelu() : h.Relu();
        return linear2.Forward(dropout.Forward(h));
    }

    public static string Describe(string name, MultiheadAttention attention, Linear linear1, bool gelu, bool normFirst) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{name}(E={attention.EmbedDim}, heads={attention.NumHeads}, ff={linear1.OutFeatures}{(gelu ? ", gelu" : "")}{(normFirst ? ", norm first" : "")})");
}
