using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class LogicNetworksTests
{
    // Rows: (0,0), (0,1), (1,0), (1,1).
    [Fact]
    public void And_network_is_exact_on_all_four_rows() => Check(LogicNetworks.And(), [0, 0, 0, 1]);

    [Fact]
    public void Or_network_is_exact_on_all_four_rows() => Check(LogicNetworks.Or(), [0, 1, 1, 1]);

    [Fact]
    public void And_not_network_is_exact_on_all_four_rows() => Check(LogicNetworks.AndNot(), [0, 0, 1, 0]);

    [Fact]
    public void Two_layer_xor_network_is_exact_on_all_four_rows()
    {
        var xor = LogicNetworks.Xor();
        Assert.Equal(4, xor.Count);
        Check(xor, [0, 1, 1, 0]);
    }

    private static void Check(Sequential network, float[] truth)
    {
        var y = network.Forward(PerceptronTests.Inputs);
        Assert.Equal(new Shape(4, 1), y.Shape);
        Assert.Equal(truth, y.ToArray());
    }
}
