using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>Checks shared by the graph layers.</summary>
internal static class GraphLayers
{
    /// <summary>Throws unless x has one row per node of <paramref name="graph"/> and <paramref name="inChannels"/> columns.</summary>
    /// <exception cref="ShapeMismatchException">Names the layer, the features' shape and the graph.</exception>
    public static void CheckInput(Module layer, NodeFeatures x, Graph graph, int inChannels)
    {
        if (x.NodeCount != graph.NodeCount || x.FeatureCount != inChannels)
            throw new ShapeMismatchException(
                $"{layer.Describe()} expects node features [{graph.NodeCount}, {inChannels}] for {graph}, got [{x.NodeCount}, {x.FeatureCount}]");
    }
}
