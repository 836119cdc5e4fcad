using System.Globalization;
using System.Text;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Keras-like text summary of a model: one row per layer (name and <see cref="Module.Describe"/>,
/// output shape, parameter count) and the totals. Output shapes come from a forward pass of
/// zeros of the given input shape in evaluation mode without gradients, so the model's state
/// is untouched. A <see cref="Sequential"/> gets a row per child; any other module one row.
/// </summary>
public static class ModelSummary
{
    /// <summary>The summary table of <paramref name="model"/> for inputs of <paramref name="inputShape"/> (full shape, batch axis first).</summary>
    /// <exception cref="InvalidOperationException">A lazy layer has not been built.</exception>
    /// <exception cref="ShapeMismatchException">A layer rejects the shape it receives.</exception>
    public static string Format(Module model, Shape inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        var rows = new List<(string Layer, string Output, long Params)>();
        if (model is Sequential seq)
        {
            var shape = inputShape;
            for (int i = 0; i < seq.Count; i++)
            {
                shape = ShapeProbe.OutputShape(seq[i], shape);
                rows.Add(($"{i.ToString(CultureInfo.InvariantCulture)} {seq[i].Describe()}", shape.ToString(), seq[i].ParameterCount()));
            }
        }
        else
        {
            rows.Add((model.Describe(), ShapeProbe.OutputShape(model, inputShape).ToString(), model.ParameterCount()));
        }

        long total = 0, trainable = 0;
        foreach (var p in model.Parameters())
        {
            total += p.Numel;
            if (p.RequiresGrad) trainable += p.Numel;
        }
        long buffers = 0;
        foreach (var (_, b) in model.NamedBuffers()) buffers += b.Numel;

        int w1 = "Layer".Length, w2 = "Output shape".Length;
        foreach (var (layer, output, _) in rows)
        {
            w1 = Math.Max(w1, layer.Length);
            w2 = Math.Max(w2, output.Length);
        }
        const int w3 = 12;
        var rule = new string('=', w1 + w2 + w3 + 4);
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{model.Describe()} on input {inputShape}");
        sb.AppendLine(rule);
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"Layer".PadRight(w1)}  {"Output shape".PadRight(w2)}  {"Params",w3}");
        sb.AppendLine(rule);
        foreach (var (layer, output, count) in rows)
            sb.AppendLine(CultureInfo.InvariantCulture, $"{layer.PadRight(w1)}  {output.PadRight(w2)}  {Count(count),w3}");
        sb.AppendLine(rule);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Total params: {Count(total)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {Count(trainable)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {Count(total - trainable)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"Buffers (not trained): {Count(buffers)}");
        return sb.ToString();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
