using Nabla.Data;
using Nabla.Data.Text;
using Nabla.IO;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// Turns loaded data into what the network sees: tabular inputs standardized with the statistics
/// stored in the model (fitted on training rows only), regression targets standardized likewise;
/// images arrive already scaled by 1/255 from <see cref="ImageDataset"/>; texts are encoded by the
/// model's vectorizer (fitted on training rows only).
/// </summary>
internal static class Preparation
{
    /// <summary>Holds out the last <paramref name="fraction"/> of a seeded shuffle of <paramref name="data"/> for validation.</summary>
    public static (IDataset Train, IDataset? Validation) HoldOut(IDataset data, double fraction, ulong seed)
    {
        if (fraction <= 0) return (data, null);
        int n = data.Count;
        int held = (int)Math.Round(n * fraction);
        if (held < 1 || held >= n)
            throw new UsageException($"--validation-split {(float)fraction} of {n} training rows leaves {held} validation and {n - held} training rows");
        var order = Enumerable.Range(0, n).ToArray();
        new Rng(seed ^ 0x5EED).Shuffle(order.AsSpan());
        return (Subset(data, order[..(n - held)]), Subset(data, order[(n - held)..]));
    }

    /// <summary>The rows <paramref name="indices"/> of an in-memory or image data set.</summary>
    public static IDataset Subset(IDataset data, int[] indices) => data switch
    {
        Dataset d => d.Subset(indices),
        ImageDataset i => i.Subset(indices),
        TextDataset t => t.Subset(indices),
        AutoencodeTask.AutoencoderImages a => a.Subset(indices),
        _ => throw new ArgumentException($"cannot subset a {data.GetType().Name}"),
    };

    /// <summary>Inputs and targets of every row (as tensors outside any scope).</summary>
    public static (Tensor X, Tensor Y) All(IDataset data)
    {
        if (data is Dataset d) return (d.X, d.Y);
        using (TensorScope.Suspend())
        {
            var b = data.Gather([.. Enumerable.Range(0, data.Count)]);
            return (b.Inputs, b.Targets);
        }
    }

    /// <summary>Applies the model's stored input (and regression target) standardization to <paramref name="data"/>.</summary>
    public static IDataset Apply(IDataset data, ModelInfo info)
    {
        if (data is TextDataset text) return info.Vectorizer is { } vectorizer ? text.Encode(vectorizer) : text;
        if (data is not Dataset d) return data;
        var x = Standardize(d.X, info.InputMean, info.InputStd, info.InputScale);
        var y = info.Task == "regression" ? Standardize(d.Y, info.TargetMean, info.TargetStd, 1f) : d.Y;
        return new Dataset(x, y);
    }

    /// <summary>(x·scale − μ)/σ per feature (trailing elements of each row).</summary>
    public static Tensor Standardize(Tensor x, IReadOnlyList<float> mean, IReadOnlyList<float> std, float scale)
    {
        var v = x.ToArray();
        int f = mean.Count;
        for (int i = 0; i < v.Length; i++)
        {
            float s = v[i] * scale;
            v[i] = f == 0 ? s : (s - mean[i % f]) / std[i % f];
        }
        return Tensor.FromArray(v, x.Shape.ToArray());
    }

    /// <summary>Maps standardized regression outputs back: y·σ + μ.</summary>
    public static Tensor Destandardize(Tensor y, IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        var v = y.ToArray();
        int f = mean.Count;
        if (f > 0) for (int i = 0; i < v.Length; i++) v[i] = v[i] * std[i % f] + mean[i % f];
        return Tensor.FromArray(v, y.Shape.ToArray());
    }

    /// <summary>Per-column μ and σ (σ = 1 for constant columns) of <paramref name="x"/> [N, F].</summary>
    public static (float[] Mean, float[] Std) Statistics(Tensor x)
    {
        var s = Standardizer.Fit(x);
        return (s.Mean.ToArray(), s.Std.ToArray());
    }

    /// <summary>Rejects NaN or infinite values in loaded data (every loader checks too; this guards the rest).</summary>
    public static void CheckFinite(Tensor t, string what)
    {
        var v = t.ToArray();
        for (int i = 0; i < v.Length; i++)
            if (!float.IsFinite(v[i]))
                throw new DataFormatException($"{what}: value {v[i]} at row {i / Math.Max(1, t.Numel / Math.Max(1, t.Shape[0]))} is not finite");
    }
}
