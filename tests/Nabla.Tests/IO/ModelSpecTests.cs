using Nabla.IO;

namespace Nabla.Tests.IO;

public class ModelSpecTests
{
    [Fact]
    public void A_spec_splits_into_layers_with_positional_and_named_arguments()
    {
        var layers = ModelSpec.Parse("conv(32,5,pad=2,relu) maxpool(2)  flatten dense(128, relu) dense(10)");
        Assert.Equal(["conv", "maxpool", "flatten", "dense", "dense"], layers.Select(l => l.Name));
        Assert.Equal(["32", "5", "relu"], layers[0].Positional);
        Assert.Equal("2", layers[0].Named["pad"]);
        Assert.Equal(128, layers[3].Int(0));
        Assert.Equal(1, layers[0].Column);
        Assert.Equal(23, layers[1].Column);
    }

    [Fact]
    public void Formatting_round_trips_through_parsing()
    {
        const string spec = "dense(256,relu) dropout(0.2) dense(10)";
        Assert.Equal(spec, ModelSpec.Format(ModelSpec.Parse(spec)));
    }

    [Theory]
    [InlineData("dense(10", "column 6: '(' of dense is never closed")]
    [InlineData("dense(10,,relu)", "empty argument")]
    [InlineData("dense(10)x", "unexpected")]
    [InlineData("   ", "empty")]
    [InlineData("dense(x)", null)]
    public void Malformed_specs_are_rejected_with_the_column(string spec, string? message)
    {
        if (message is null)
        {
            var layer = ModelSpec.Parse(spec)[0];
            Assert.Contains("'x' is not a whole number", Assert.Throws<ModelSpecException>(() => layer.Int(0)).Message);
            return;
        }
        Assert.Contains(message, Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(spec)).Message);
    }
}
