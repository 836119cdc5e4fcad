using Nabla.Nn;

namespace Nabla.Onnx.Exporters;

/// <summary><see cref="LayerNorm"/> as <c>LayerNormalization</c> (opset 17) over the trailing <see cref="LayerNorm.NormalizedShape"/> axes.</summary>
internal sealed class LayerNormExporter : OnnxLayerExporter<LayerNorm>
{
    public override string Export(LayerNorm layer, OnnxValue input, OnnxExportContext context)
    {
        var dims = new long[layer.NormalizedShape.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = layer.NormalizedShape[i];
        int count = layer.NormalizedShape.Numel;
        string scale = layer.Weight is { } w ? context.Initializer("weight", w) : context.Initializer("weight", Enumerable.Repeat(1f, count).ToArray(), dims);
        string bias = layer.Bias is { } b ? context.Initializer("bias", b) : context.Initializer("bias", new float[count], dims);
        return context.Node("LayerNormalization", [input.Name, scale, bias],
            OnnxAttribute.Int("axis", -dims.Length), OnnxAttribute.Float("epsilon", layer.Eps));
    }
}
