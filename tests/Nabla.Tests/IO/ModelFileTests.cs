using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.IO;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-mf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ModelInfo Info(string arch) => new()
    {
        Architecture = arch,
        InputShape = [1, 6],
        Task = "multiclass",
        Classes = ["a", "b", "c"],
        InputMean = [1, 2, 3, 4, 5, 6],
        InputStd = [1, 1, 1, 1, 1, 2],
        HistoryJson = "[{\"epoch\":1,\"loss\":0.5}]",
        Extra = new Dictionary<string, string> { ["data"] = "iris" },
    };

    [Fact]
    public void A_saved_model_loads_with_identical_predictions_and_metadata()
    {
        const string arch = "dense(8,relu) batchnorm dropout(0.1) dense(3)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 6), new Rng(5));
        // Move the running statistics away from their initial values.
        var x = Tensor.Randn(new Shape(16, 6), new Rng(6));
        using (GradMode.NoGrad()) model.Forward(x);
        model.Eval();
        var expected = Run(model, x);
        var path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(path, model, Info(arch));

        var (loaded, info) = ModelFile.Load(path);
        Assert.Equal(expected.ToArray(), Run(loaded, x).ToArray());
        Assert.Equal(arch, info.Architecture);
        Assert.Equal(["a", "b", "c"], info.Classes);
        Assert.Equal(2f, info.InputStd[5]);
        Assert.Equal("iris", info.Extra["data"]);
        Assert.Contains("loss", info.HistoryJson);
        Assert.Equal(
            ["0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked", "4.weight", "4.bias"],
            Safetensors.Load(path).Tensors.Keys);
    }

    [Fact]
    public void A_saved_cnn_loads_with_identical_predictions_and_its_pytorch_twins_names()
    {
        // PyTorch twin: Sequential(Conv2d(1,4,3,padding=1), ReLU(), BatchNorm2d(4), MaxPool2d(2), Conv2d(4,6,3), ReLU(),
        //               Flatten(), Linear(54,5))
        const string arch = "conv(4,3,relu,pad=1) batchnorm maxpool(2) conv(6,3,relu) flatten dense(5)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 1, 10, 10), new Rng(9));
        var x = Tensor.Randn(new Shape(3, 1, 10, 10), new Rng(10));
        using (GradMode.NoGrad()) model.Forward(x); // training mode: moves the BatchNorm2d running statistics
        model.Eval();
        var expected = Run(model, x);
        var path = Path.Combine(_dir, "cnn.safetensors");
        ModelFile.Save(path, model, new ModelInfo { Architecture = arch, InputShape = [1, 1, 10, 10], Task = "multiclass", InputScale = 1f / 255 });
        var (loaded, _) = ModelFile.Load(path);
        Assert.Equal(expected.ToArray(), Run(loaded, x).ToArray());
        var tensors = Safetensors.Load(path).Tensors;
        Assert.Equal(
            ["0.weight", "0.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked", "4.weight", "4.bias", "7.weight", "7.bias"],
            tensors.Keys);
        Assert.Equal(new Shape(4, 1, 3, 3), tensors["0.weight"].Shape);
        Assert.Equal(new Shape(6, 4, 3, 3), tensors["4.weight"].Shape);
        Assert.Equal(new Shape(5, 54), tensors["7.weight"].Shape);
        Assert.NotEqual(0f, tensors["2.running_mean"].ToArray().Select(MathF.Abs).Max());
    }

    private static Tensor Run(Nabla.Nn.Module model, Tensor x)
    {
        using (GradMode.NoGrad()) return model.Forward(x);
    }

    [Fact]
    public void Weights_that_do_not_fit_the_architecture_are_rejected_naming_the_entry()
    {
        var model = ModelBuilder.Build(ModelSpec.Parse("dense(4) dense(3)"), new Shape(1, 6), new Rng(1));
        var path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(path, model, Info("dense(5) dense(3)"));
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Contains("0.weight", e.Message);
        Assert.StartsWith("m.safetensors: weights do not match", e.Message);
    }

    [Fact]
    public void A_plain_safetensors_file_is_not_mistaken_for_a_model()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(2) });
        Assert.Contains("not a Nabla model file", Assert.Throws<StateDictWithoutMetadataException>(() => ModelFile.Load(path)).Message);
    }

    [Fact]
    public void Label_columns_and_separator_round_trip_and_older_files_keep_their_label_columns()
    {
        const string arch = "dense(4) dense(3)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 6), new Rng(1));
        var path = Path.Combine(_dir, "labels.safetensors");
        ModelFile.Save(path, model, Info(arch) with { Task = "multilabel", LabelColumns = ["tags"], LabelSeparator = ";" });
        var info = ModelFile.Load(path).Info;
        Assert.Equal(["tags"], info.LabelColumns);
        Assert.Equal(";", info.LabelSeparator);
        Assert.Equal("[\"tags\"]", Safetensors.Load(path).Metadata["nabla.label_columns"]);

        // Earlier versions kept the label columns among the extras and had no separator entry.
        var content = Safetensors.Load(path);
        var meta = content.Metadata.Where(kv => kv.Key is not ("nabla.label_columns" or "nabla.label_separator")).ToDictionary(kv => kv.Key, kv => kv.Value);
        meta["nabla.extra.label_columns"] = "[\"species\"]";
        Safetensors.Save(path, content.Tensors, meta);
        var old = ModelFile.Load(path).Info;
        Assert.Equal(["species"], old.LabelColumns);
        Assert.Null(old.LabelSeparator);
        Assert.False(old.Extra.ContainsKey("label_columns"));
        Assert.Equal("iris", old.Extra["data"]);
    }

    [Theory]
    [InlineData("nabla.task", "clustering", "unknown task 'clustering'")]
    [InlineData("nabla.input_shape", "[6]", "input_shape [6] is not a batch-of-1 shape")]
    [InlineData("nabla.input_std", "[1, 1, 1, 1, 1, 0]", "a standard deviation ≤ 0")]
    [InlineData("nabla.input_mean", "[1, 2]", "input_mean and input_std have 2 and 6 entries, the input has 6 features")]
    [InlineData("nabla.target_std", "[1]", "target_mean and target_std have 0 and 1 entries")]
    [InlineData("nabla.input_scale", "0", "input_scale 0 is not a positive number")]
    [InlineData("nabla.classes", "[\"a\"]", "the network has 3 outputs, its multiclass metadata describes 1")]
    [InlineData("nabla.thresholds", "[0.5, 0.5]", "2 thresholds for 1 multiclass output(s)")]
    // Issue 20: every field a damaged file can get wrong.
    [InlineData("nabla.input_scale", "NaN", "input_scale NaN is not a positive number")]
    [InlineData("nabla.input_scale", "fast", "metadata nabla.input_scale is not a number: 'fast'")]
    [InlineData("nabla.input_std", "[1, 1, 1, 1, 1, -2]", "input_std[5] is -2: a standard deviation ≤ 0")]
    [InlineData("nabla.input_std", "[1, 1, 1, 1, 1, \"NaN\"]", "metadata nabla.input_std is not a JSON list of numbers")]
    [InlineData("nabla.input_mean", "[1, 2, 3, 4, 5, 6, 7]", "input_mean and input_std have 7 and 6 entries, the input has 6 features")]
    [InlineData("nabla.classes", "[\"a\", \"b\"]", "the network has 3 outputs, its multiclass metadata describes 2")]
    [InlineData("nabla.classes", "[\"a\", \"a\", \"c\"]", "classes names 'a' twice")]
    [InlineData("nabla.classes", "[\"a\", \"\", \"c\"]", "classes holds an empty name")]
    [InlineData("nabla.classes", "[\"a\", \"\\u001b[31mb\", \"c\"]", "classes holds '\\x1B[31mb', a name with control characters")]
    [InlineData("nabla.classes", "[\"a\", \"b\"", "metadata nabla.classes is not a JSON list of names: '[\"a\", \"b\"'")]
    [InlineData("nabla.input_shape", "[1, 2147483648]", "metadata nabla.input_shape is not a JSON list of sizes")]
    [InlineData("nabla.input_shape", "[1, 2147483647]", "declares 2,147,483,647 values per sample, more than the 67,108,864 Nabla accepts")]
    [InlineData("nabla.thresholds", "[1.5]", "thresholds [1.5] are not probabilities in [0, 1]")]
    [InlineData("nabla.history", "[{\"epoch\": 1, \"loss\": \"low\"}]", "metadata nabla.history is not a JSON list of epoch records")]
    [InlineData("nabla.history", "{", "metadata nabla.history is not a JSON list of epoch records")]
    [InlineData("nabla.label_separator", "", "label_separator '' is empty or holds control characters")]
    [InlineData("nabla.target_mean", "[0]", "target_mean and target_std have 1 and 0 entries")]
    public void Inconsistent_metadata_is_rejected_naming_the_entry(string key, string value, string message)
    {
        const string arch = "dense(4) dense(3)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 6), new Rng(1));
        var path = Path.Combine(_dir, "bad.safetensors");
        ModelFile.Save(path, model, Info(arch));
        var content = Safetensors.Load(path);
        var meta = content.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        meta[key] = value;
        Safetensors.Save(path, content.Tensors, meta);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.StartsWith("bad.safetensors: ", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void Weights_that_are_not_finite_are_rejected_naming_the_tensor(float bad, string shown)
    {
        const string arch = "dense(4) dense(3)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 6), new Rng(1));
        var path = Path.Combine(_dir, "nan.safetensors");
        ModelFile.Save(path, model, Info(arch));
        var content = Safetensors.Load(path);
        var tensors = content.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value);
        tensors["1.weight"].AsSpan()[5] = bad;
        Safetensors.Save(path, tensors, content.Metadata);
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Equal($"nan.safetensors: tensor '1.weight' holds {shown} at index 5: the weights are not finite (a diverged run or a damaged file)", e.Message);
    }

    [Fact]
    public void An_optimizer_state_reference_outside_the_models_folder_is_rejected()
    {
        const string arch = "dense(3)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 6), new Rng(1));
        var path = Path.Combine(_dir, "ref.safetensors");
        ModelFile.Save(path, model, Info(arch) with { CheckpointId = "abc123", OptimizerStateFile = "../../etc/passwd" });
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Contains("optimizer_state '../../etc/passwd' is not a file name", e.Message);
    }
}
