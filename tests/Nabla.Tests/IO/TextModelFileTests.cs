using Nabla.Data.Text;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.IO;

/// <summary>Models of text: the SPEC words embedding(dim, vocab=N), gap1d and gmp1d, and the vectorizer inside the model file.</summary>
public sealed class TextModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-tmf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TextVectorization Vectorizer()
    {
        var v = new TextVectorization(maxTokens: 100, ngrams: 2);
        v.Adapt(["red apples and green pears", "green apples", "ripe red cherries"]);
        return v;
    }

    [Fact]
    public void The_text_spec_words_build_the_keras_seed_model_with_pytorchs_names()
    {
        var model = ModelBuilder.Build(ModelSpec.Parse("embedding(16,vocab=40) gap1d dense(8,relu) dense(3)"), new Shape(1, 5), new Rng(1));
        var embedding = Assert.IsType<Embedding>(model[0]);
        Assert.Equal((40, 16, 0), (embedding.NumEmbeddings, embedding.EmbeddingDim, embedding.PaddingIdx!.Value));
        Assert.IsType<GlobalAveragePooling1D>(model[1]);
        Assert.Equal(["0.weight", "2.weight", "2.bias", "4.weight", "4.bias"], model.StateDict().Keys);
        Assert.IsType<GlobalMaxPooling1D>(ModelBuilder.Build(ModelSpec.Parse("embedding(4,vocab=9) gmp1d"), new Shape(1, 3), new Rng(1))[1]);
    }

    [Fact]
    public void Embedding_std_sets_the_spread_of_the_initial_vectors_and_keeps_the_padding_row_zero()
    {
        static double Std(string spec)
        {
            var w = Assert.IsType<Embedding>(ModelBuilder.Build(ModelSpec.Parse(spec), new Shape(1, 5), new Rng(3))[0]).Weight.ToArray();
            Assert.All(w.Take(32), v => Assert.Equal(0f, v));
            var rest = w.Skip(32).Select(v => (double)v).ToArray();
            return Math.Sqrt(rest.Sum(v => v * v) / rest.Length);
        }
        Assert.InRange(Std("embedding(32,vocab=500)"), 0.97, 1.03);
        Assert.InRange(Std("embedding(32,vocab=500,std=0.01)"), 0.0097, 0.0103);
    }

    [Theory]
    [InlineData("embedding(4,vocab=9,std=0)", "embedding needs std > 0")]
    [InlineData("embedding(16)", "embedding needs vocab=N")]
    [InlineData("embedding(0,vocab=9)", "embedding needs a size ≥ 1")]
    [InlineData("embedding(4,vocab=1)", "vocab ≥ 2")]
    [InlineData("embedding(4,size=9)", "unknown argument 'size='")]
    [InlineData("gap1d", "gap1d needs sequences [batch, length, channels]")]
    [InlineData("embedding(4,vocab=9) embedding(4,vocab=9)", "embedding needs token ids [batch, length]")]
    public void Text_layers_that_cannot_be_built_are_refused_naming_why(string spec, string fragment)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelBuilder.Build(ModelSpec.Parse(spec), new Shape(1, 5), new Rng(1)));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_vectorizer_and_text_column_are_saved_with_the_model()
    {
        var v = Vectorizer();
        string arch = $"embedding(8,vocab={v.Vocabulary.Count}) gap1d dense(2)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 4), new Rng(2));
        string path = Path.Combine(_dir, "t.safetensors");
        ModelFile.Save(path, model, new ModelInfo { Architecture = arch, InputShape = [1, 4], Task = "multiclass", Classes = ["a", "b"], Vectorizer = v, TextColumn = "text" });
        var (loaded, info) = ModelFile.Load(path);
        Assert.Equal("text", info.TextColumn);
        Assert.Equal(v.Vocabulary.Tokens, info.Vectorizer!.Vocabulary.Tokens);
        Assert.Equal(2, info.Vectorizer.Tokenizer.NGrams);
        var ids = info.Vectorizer.Transform(["green apples", "unknown words only"]);
        Assert.Equal(model.Eval().Forward(ids).ToArray(), loaded.Forward(ids).ToArray());
    }

    [Fact]
    public void A_vocabulary_that_does_not_fit_the_embedding_is_a_damaged_file()
    {
        var v = Vectorizer();
        const string arch = "embedding(8,vocab=5) gap1d dense(2)";
        var model = ModelBuilder.Build(ModelSpec.Parse(arch), new Shape(1, 4), new Rng(2));
        string path = Path.Combine(_dir, "bad.safetensors");
        ModelFile.Save(path, model, new ModelInfo { Architecture = arch, InputShape = [1, 4], Task = "multiclass", Classes = ["a", "b"], Vectorizer = v, TextColumn = "text" });
        var e = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        Assert.Equal($"bad.safetensors: the embedding has 5 rows, the stored vocabulary {v.Vocabulary.Count} tokens", e.Message);
    }
}
