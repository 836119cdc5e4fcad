using System.Buffers.Binary;
using System.Text;
using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.IO;

/// <summary>
/// PyTorch state dicts written by PyTorch 1.13 (bench/peers/make_import_fixtures.py writes the files in
/// IO/fixtures) load into the models their SPECs describe and predict what PyTorch predicted, within 1e-5.
/// </summary>
public sealed class PyTorchImportTests : IDisposable
{
    private const string Mlp = "dense(16) relu batchnorm dense(3)";
    private const string Cnn = "conv(4,3,pad=1) batchnorm relu maxpool(2) flatten dense(3)";
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string Fixture(string name) => Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "IO", "fixtures", name);

    private static IReadOnlyDictionary<string, Tensor> Io => Safetensors.Load(Fixture("import_io.safetensors")).Tensors;

    private static void AssertPredicts(Module model, Tensor x, Tensor expected)
    {
        Tensor y;
        using (GradMode.NoGrad()) y = model.Forward(x);
        Assert.Equal(expected.Shape, y.Shape);
        float[] e = expected.ToArray(), a = y.ToArray();
        for (int i = 0; i < e.Length; i++) Assert.True(MathF.Abs(e[i] - a[i]) <= 1e-5f, $"output {i}: PyTorch {e[i]}, Nabla {a[i]}");
    }

    [Theory]
    [InlineData("import_mlp.safetensors", "mlp_y")]
    [InlineData("import_mlp_f16.safetensors", "mlp_f16_y")]
    [InlineData("import_mlp_bf16.safetensors", "mlp_bf16_y")]
    [InlineData("import_mlp_f64.safetensors", "mlp_f64_y")]
    public void A_pytorch_mlp_with_batch_norm_predicts_as_in_pytorch_in_every_float_dtype(string file, string expected)
    {
        var model = PyTorchImport.Load(Fixture(file), Mlp, new Shape(1, 4));
        Assert.False(model.IsTraining);
        AssertPredicts(model, Io["mlp_x"], Io[expected]);
        Assert.Equal(5, ((BatchNorm1d)model[2]).NumBatchesTracked);   // int64 scalar [] → Nabla's [1] buffer
    }

    [Fact]
    public void A_pytorch_cnn_with_batch_norm_predicts_as_in_pytorch()
    {
        var model = PyTorchImport.Load(Fixture("import_cnn.safetensors"), Cnn, new Shape(1, 1, 8, 8));
        AssertPredicts(model, Io["cnn_x"], Io["cnn_y"]);
    }

    [Fact]
    public void The_input_shape_of_a_spec_starting_with_a_dense_layer_comes_from_its_weight()
    {
        Assert.Equal(new Shape(1, 4), PyTorchImport.InferInputShape(Fixture("import_mlp.safetensors"), Mlp));
        Assert.Null(PyTorchImport.InferInputShape(Fixture("import_cnn.safetensors"), Cnn));
    }

    [Fact]
    public void Keys_under_a_common_wrapper_prefix_load()
    {
        var content = Safetensors.Load(Fixture("import_mlp.safetensors"));
        string path = Path.Combine(_dir, "wrapped.safetensors");
        Safetensors.Save(path, content.Tensors.ToDictionary(kv => "module." + kv.Key, kv => kv.Value));
        AssertPredicts(PyTorchImport.Load(path, Mlp, new Shape(1, 4)), Io["mlp_x"], Io["mlp_y"]);
    }

    [Fact]
    public void A_spec_that_does_not_match_the_state_dict_names_the_missing_and_unexpected_keys()
    {
        var e = Assert.Throws<ModelFileException>(() => PyTorchImport.Load(Fixture("import_mlp.safetensors"), "dense(16) relu batchnorm relu dense(3)", new Shape(1, 4)));
        Assert.Contains("import_mlp.safetensors: the state dict does not match the SPEC \"dense(16) relu batchnorm relu dense(3)\": missing 4.weight, 4.bias; unexpected 3.bias, 3.weight", e.Message, StringComparison.Ordinal);
        var shape = Assert.Throws<ModelFileException>(() => PyTorchImport.Load(Fixture("import_mlp.safetensors"), "dense(8) relu batchnorm dense(3)", new Shape(1, 4)));
        Assert.Contains("'0.weight' has shape [16, 4], the module expects [8, 4]", shape.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tensor_of_another_dtype_is_refused_naming_the_readable_ones()
    {
        // A U8 tensor, written by hand: 8-byte header length, JSON header, data.
        string path = Path.Combine(_dir, "u8.safetensors");
        var header = Encoding.UTF8.GetBytes("{\"mask\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}");
        var bytes = new byte[8 + header.Length + 2];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<ModelFileException>(() => Safetensors.Load(path));
        Assert.Equal("u8.safetensors: tensor 'mask' has dtype U8; Nabla reads F32, F16, BF16, F64, I64 (converted to F32)", e.Message);
    }

    [Fact]
    public void Model_files_write_num_batches_tracked_as_pytorch_does_and_read_both_forms()
    {
        var model = PyTorchImport.Load(Fixture("import_mlp.safetensors"), Mlp, new Shape(1, 4));
        var info = new ModelInfo { Architecture = Mlp, InputShape = [1, 4], Task = "multiclass", Classes = ["a", "b", "c"] };
        string path = Path.Combine(_dir, "m.safetensors");
        ModelFile.Save(path, model, info);
        var bytes = File.ReadAllBytes(path);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Contains("\"2.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]", header, StringComparison.Ordinal);
        Assert.Contains("\"2.running_mean\":{\"dtype\":\"F32\",\"shape\":[16]", header, StringComparison.Ordinal);
        var (loaded, _) = ModelFile.Load(path);
        Assert.Equal(5, ((BatchNorm1d)loaded[2]).NumBatchesTracked);
        AssertPredicts(loaded, Io["mlp_x"], Io["mlp_y"]);

        // Files written before (F32 [1]) still load.
        var content = Safetensors.Load(path);
        var old = content.Tensors.ToDictionary(kv => kv.Key, kv => kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? kv.Value.Reshape(1) : kv.Value);
        Safetensors.Save(path, old, content.Metadata);
        Assert.Equal(5, ((BatchNorm1d)ModelFile.Load(path).Model[2]).NumBatchesTracked);
    }

    [Fact]
    public void Opening_a_plain_state_dict_as_a_model_file_says_what_it_is()
    {
        var e = Assert.Throws<StateDictWithoutMetadataException>(() => ModelFile.Load(Fixture("import_mlp.safetensors")));
        Assert.Contains("import_mlp.safetensors: a plain state dict (9 tensors, no Nabla metadata), not a Nabla model file", e.Message, StringComparison.Ordinal);
    }
}
