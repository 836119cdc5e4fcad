using System.Globalization;
using Nabla.Autograd;
using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary>
/// <see cref="RNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> as ONNX's <c>RNN</c>, <c>LSTM</c> and
/// <c>GRU</c> operators, one per stacked layer (both directions in one node when bidirectional).
/// </summary>
/// <remarks>
/// <para>The operators are time-major: the batch-first input [N, T, F] is transposed to [T, N, F],
/// each layer's Y [T, directions, N, H] becomes the next layer's [T, N, directions·H], and the top
/// layer gives every step [N, T, directions·H] (<see cref="RecurrentReturn.Sequence"/>) or its
/// Y_h [directions, N, H] as [N, directions·H] (<see cref="RecurrentReturn.Last"/>).</para>
/// <para>Weights are PyTorch's with the gate blocks reordered: ONNX's LSTM stacks i, o, f, c where
/// PyTorch has i, f, g, o, and ONNX's GRU z, r, h where PyTorch has r, z, n (and applies the reset
/// gate after the recurrent product, <c>linear_before_reset=1</c>). W, R and B stack the directions;
/// B is [W_b, R_b] per direction.</para>
/// <para>Row lengths go to the operators as <c>sequence_lens</c>, found as Nabla finds them: from the
/// input's padding mask m (an embedding with a padding index before) as max over t of (t + 1)·m[t];
/// otherwise, with <see cref="RNNBase.MaskPadding"/>, one past the last timestep with a non-zero feature,
/// max over t of (t + 1)·[max_f |x| &gt; 0].</para>
/// </remarks>
internal sealed class RecurrentExporter : OnnxLayerExporter<RNNBase>
{
    public override string Export(RNNBase layer, OnnxValue input, OnnxExportContext context)
    {
        string lengths = input.Mask is { } mask ? LengthsFromMask(mask, input.Shape[1], context) : layer.MaskPadding ? Lengths(input, context) : "";
        string x = context.Node("Transpose", [input.Name], OnnxAttribute.Ints("perm", 1, 0, 2));
        string lastH = "";
        for (int k = 0; k < layer.NumLayers; k++)
        {
            var (w, r, b) = Weights(layer, k, context);
            string[] inputs = [x, w, r, b, lengths];
            int used = inputs.Length;
            while (inputs[used - 1].Length == 0) used--;
            var outputs = context.Node(OpType(layer.Mode), inputs[..used], layer.Mode == RecurrentMode.Lstm ? 3 : 2, Attributes(layer));
            lastH = outputs[1];
            string steps = context.Node("Transpose", [outputs[0]], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
            x = context.Node("Reshape", [steps, context.Int64Initializer("steps_shape", 0, 0, -1)]);
        }
        if (layer.Returns == RecurrentReturn.Sequence) return context.Node("Transpose", [x], OnnxAttribute.Ints("perm", 1, 0, 2));
        string batchFirst = context.Node("Transpose", [lastH], OnnxAttribute.Ints("perm", 1, 0, 2));
        return context.Node("Reshape", [batchFirst, context.Int64Initializer("last_shape", 0, -1)]);
    }

    private static string OpType(RecurrentMode mode) => mode switch
    {
        RecurrentMode.Lstm => "LSTM",
        RecurrentMode.Gru => "GRU",
        _ => "RNN",
    };

    private static OnnxAttribute[] Attributes(RNNBase layer)
    {
        var list = new List<OnnxAttribute>
        {
            OnnxAttribute.Int("hidden_size", layer.HiddenSize),
            OnnxAttribute.String("direction", layer.Bidirectional ? "bidirectional" : "forward"),
        };
        if (layer.Mode == RecurrentMode.Gru) list.Add(OnnxAttribute.Int("linear_before_reset", 1));
        if (layer.Mode is RecurrentMode.RnnTanh or RecurrentMode.RnnRelu)
        {
            string act = layer.Mode == RecurrentMode.RnnRelu ? "Relu" : "Tanh";
            list.Add(OnnxAttribute.Strings("activations", Enumerable.Repeat(act, layer.Directions).ToArray()));
        }
        return [.. list];
    }

    // ONNX gate block j is PyTorch's block GateOrder[j].
    private static int[] GateOrder(RecurrentMode mode) => mode switch
    {
        RecurrentMode.Lstm => [0, 3, 1, 2],
        RecurrentMode.Gru => [1, 0, 2],
        _ => [0],
    };

    /// <summary>W [dirs, G·H, in], R [dirs, G·H, H] and B [dirs, 2·G·H] (or "" without biases) of layer <paramref name="k"/>.</summary>
    private static (string W, string R, string B) Weights(RNNBase layer, int k, OnnxExportContext context)
    {
        int dirs = layer.Directions, h = layer.HiddenSize;
        var order = GateOrder(layer.Mode);
        int gh = order.Length * h;
        int inputs = layer.Weights(k).WeightIh.Shape[1];
        var w = new float[dirs * gh * inputs];
        var r = new float[dirs * gh * h];
        bool bias = layer.Weights(k).BiasIh is not null;
        var b = bias ? new float[dirs * 2 * gh] : [];
        for (int d = 0; d < dirs; d++)
        {
            var p = layer.Weights(k, d);
            Reorder(p.WeightIh.ToArray(), order, h * inputs, w.AsSpan(d * gh * inputs, gh * inputs));
            Reorder(p.WeightHh.ToArray(), order, h * h, r.AsSpan(d * gh * h, gh * h));
            if (!bias) continue;
            Reorder(p.BiasIh!.ToArray(), order, h, b.AsSpan(d * 2 * gh, gh));
            Reorder(p.BiasHh!.ToArray(), order, h, b.AsSpan(d * 2 * gh + gh, gh));
        }
        string suffix = "_l" + k.ToString(CultureInfo.InvariantCulture);
        return (context.Initializer("W" + suffix, w, dirs, gh, inputs),
            context.Initializer("R" + suffix, r, dirs, gh, h),
            bias ? context.Initializer("B" + suffix, b, dirs, 2 * gh) : "");
    }

    private static void Reorder(float[] source, int[] order, int block, Span<float> target)
    {
        for (int j = 0; j < order.Length; j++) source.AsSpan(order[j] * block, block).CopyTo(target.Slice(j * block, block));
    }

    /// <summary>Each row's length as int32 [N]: max over t of (t + 1)·[max_f |x[n, t, f]| &gt; 0] (0 for a row of zeros).</summary>
    private static string Lengths(OnnxValue input, OnnxExportContext context)
    {
        string magnitude = context.Node("ReduceMax", [context.Node("Abs", [input.Name])], OnnxAttribute.Ints("axes", 2), OnnxAttribute.Int("keepdims", 0));
        string real = context.Node("Cast", [context.Node("Greater", [magnitude, context.Constant(0f)])], OnnxAttribute.Int("to", (long)OnnxType.Float));
        return LengthsFromMask(real, input.Shape[1], context);
    }

    /// <summary>Each row's length as int32 [N] from a float [N, T] mask of real positions: one past the last non-zero one, max over t of (t + 1)·[m[t] ≠ 0].</summary>
    private static string LengthsFromMask(string mask, int t, OnnxExportContext context)
    {
        string real = context.Node("Cast", [context.Node("Not", [context.Node("Equal", [mask, context.Constant(0f)])])], OnnxAttribute.Int("to", (long)OnnxType.Float));
        var positions = new float[t];
        for (int i = 0; i < t; i++) positions[i] = i + 1;
        string ends = context.Node("Mul", [real, context.Initializer("positions", positions, t)]);
        string length = context.Node("ReduceMax", [ends], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 0));
        return context.Node("Cast", [length], OnnxAttribute.Int("to", (long)OnnxType.Int32));
    }
}
