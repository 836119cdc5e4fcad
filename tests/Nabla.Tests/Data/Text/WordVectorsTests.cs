using System.Text;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.Tensors;

namespace Nabla.Tests.Data.Text;

public class WordVectorsTests
{
    private static WordVectors Read(string text) => WordVectors.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "v.txt");

    private static WordVectors Read(byte[] bytes) => WordVectors.Read(new MemoryStream(bytes), "v.txt");

    [Fact]
    public void Reads_the_format_with_and_without_the_word2vec_header()
    {
        var withHeader = Read("2 3\ncat 0.5 -1 2 \ndog 1e-3 0 0.25\n");
        var glove = Read("cat 0.5 -1 2\r\ndog 1e-3 0 0.25\r\n");
        foreach (var v in new[] { withHeader, glove })
        {
            Assert.Equal(2, v.Count);
            Assert.Equal(3, v.Dimension);
            Assert.True(v.TryGetVector("dog", out var dog));
            Assert.Equal([1e-3f, 0f, 0.25f], dog.ToArray());
        }
    }

    [Fact]
    public void Save_and_load_round_trip_exactly_also_gzipped()
    {
        var values = new float[3 * 4];
        new Rng(1).FillNormal(values);
        var v = new WordVectors(["über", "b", "c"], values, 4);
        foreach (var name in new[] { "vectors.txt", "vectors.txt.gz" })
        {
            var path = Path.Combine(Path.GetTempPath(), $"nabla-{Guid.NewGuid():N}-{name}");
            try
            {
                v.Save(path);
                var back = WordVectors.Load(path);
                Assert.Equal(v.Words, back.Words);
                for (int i = 0; i < 3; i++) Assert.Equal(v.Vector(i).ToArray(), back.Vector(i).ToArray());
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public void Errors_name_the_line()
    {
        Assert.Equal("v.txt:3: the vector of 'c' has 2 components, earlier rows have 3",
            Assert.Throws<DataFormatException>(() => Read("a 1 2 3\nb 1 2 3\nc 1 2\n")).Message);
        Assert.Equal("v.txt:2:3: 'x' is not a finite number", Assert.Throws<DataFormatException>(() => Read("a 1 2\nb 1 x\n")).Message);
        Assert.Equal("v.txt:2:2: 'NaN' is not a finite number", Assert.Throws<DataFormatException>(() => Read("a 1 2\nb NaN 2\n")).Message);
        Assert.Equal("v.txt:1: the header announces 3 words but the file has 2",
            Assert.Throws<DataFormatException>(() => Read("3 2\na 1 2\nb 1 2\n")).Message);
        var latin1 = Encoding.UTF8.GetBytes("a 1 2\nb 1 2\n").Concat(new byte[] { 0xE9, (byte)' ', (byte)'1', (byte)' ', (byte)'2', (byte)'\n' }).ToArray();
        Assert.Equal("v.txt:3: the line is not valid UTF-8", Assert.Throws<DataFormatException>(() => Read(latin1)).Message);
        Assert.Contains("no vectors", Assert.Throws<DataFormatException>(() => Read("\n\n")).Message);
        Assert.Throws<FileNotFoundException>(() => WordVectors.Load("/nonexistent/vectors.txt"));
    }

    [Fact]
    public void Embedding_matrix_takes_known_words_and_seeds_the_rest_at_the_files_scale()
    {
        var values = new float[200 * 8];
        new Rng(2).FillNormal(values, 0f, 0.3f);
        var words = Enumerable.Range(0, 200).Select(i => $"w{i}").ToList();
        var vectors = new WordVectors(words, values, 8);
        var vocabulary = Vocabulary.FromTokens(["w5", "missing", "w0", "other"]);
        var table = vectors.EmbeddingMatrix(vocabulary, new Rng(3), out int found);
        Assert.Equal(new Shape(6, 8), table.Shape);
        Assert.Equal(2, found);
        Assert.All(table.ToArray().Take(8), x => Assert.Equal(0f, x));
        Assert.Equal(vectors.Vector(5).ToArray(), table.ToArray().Skip(2 * 8).Take(8));
        Assert.Equal(vectors.Vector(0).ToArray(), table.ToArray().Skip(4 * 8).Take(8));
        var again = vectors.EmbeddingMatrix(vocabulary, new Rng(3), out _);
        Assert.Equal(table.ToArray(), again.ToArray());
        var random = table.ToArray().Skip(8).Take(8).Concat(table.ToArray().Skip(3 * 8).Take(8)).Concat(table.ToArray().Skip(5 * 8)).ToArray();
        double std = Math.Sqrt(random.Select(x => (double)x * x).Average());
        Assert.InRange(std, 0.15, 0.5);
    }

    [Fact]
    public void Similarity_is_the_cosine_and_most_similar_ranks_by_it()
    {
        var v = new WordVectors(["x", "near", "far", "opposite"], [1, 0, 0.9f, 0.1f, 0, 1, -1, 0], 2);
        Assert.Equal(1f, v.Similarity("x", "x"), 6);
        Assert.Equal(-1f, v.Similarity("x", "opposite"), 6);
        Assert.Equal(["near", "far", "opposite"], v.MostSimilar("x", 3).Select(p => p.Word));
        Assert.Throws<KeyNotFoundException>(() => v.Similarity("x", "nope"));
    }
}
