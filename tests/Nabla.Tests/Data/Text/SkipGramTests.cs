using Nabla.Data;
using Nabla.Data.Text;
using Xunit.Abstractions;

namespace Nabla.Tests.Data.Text;

public class SkipGramTests(ITestOutputHelper output)
{
    private static readonly string[] Toy =
    [
        "the cat chased the mouse", "the dog chased the cat", "a mouse ate the cheese", "the dog ate a bone",
        "cats and dogs are pets", "the cat sat on the mat", "the dog sat on the rug", "a mouse likes cheese",
    ];

    [Fact]
    public void Same_seed_and_shard_count_give_the_same_vectors()
    {
        foreach (int shards in new[] { 1, 3 })
        {
            var options = new SkipGramOptions { Dimension = 8, MinCount = 1, Epochs = 3, Seed = 4, Shards = shards, WordsPerRound = 7, Subsample = 0 };
            var a = SkipGram.Train(Toy, options);
            var b = SkipGram.Train(Toy, options);
            Assert.Equal(a.Words, b.Words);
            for (int i = 0; i < a.Count; i++) Assert.Equal(a.Vector(i).ToArray(), b.Vector(i).ToArray());
        }
    }

    [Fact]
    public void Words_are_ordered_by_count_and_rare_words_dropped()
    {
        var v = SkipGram.Train(Toy, new SkipGramOptions { Dimension = 4, MinCount = 2, Epochs = 1 });
        Assert.Equal("the", v.Words[0]);
        Assert.DoesNotContain("rug", v.Words);
        Assert.Throws<DataFormatException>(() => SkipGram.Train(["a b"], new SkipGramOptions { MinCount = 5 }));
    }

    [Fact]
    public void The_loss_falls_over_the_epochs()
    {
        var losses = new List<double>();
        SkipGram.Train(Toy, new SkipGramOptions { Dimension = 10, MinCount = 1, Epochs = 30, Subsample = 0, Seed = 1, Shards = 1 }, (_, loss) => losses.Add(loss));
        Assert.Equal(30, losses.Count);
        Assert.True(losses[^1] < 0.8 * losses[0], $"loss {losses[0]:F3} → {losses[^1]:F3}");
    }

    [Fact]
    public void On_debian_descriptions_related_words_are_closer_than_unrelated_ones()
    {
        var texts = TextVectorizationTests.ReadColumn(TestData.Path_("debian-packages.tsv.gz"), "description");
        var vectors = SkipGram.Train(texts, new SkipGramOptions { Dimension = 50, Epochs = 3, Seed = 1, Shards = 2 });
        foreach (var word in new[] { "python", "font", "game", "kernel", "documentation" })
            output.WriteLine($"{word}: {string.Join(", ", vectors.MostSimilar(word, 6).Select(p => $"{p.Word} {p.Similarity:F2}"))}");
        (string, string)[] related = [("python", "perl"), ("font", "fonts"), ("game", "games"), ("library", "libraries"), ("documentation", "manual"), ("server", "client")];
        (string, string)[] unrelated = [("python", "font"), ("font", "kernel"), ("game", "documentation"), ("library", "game"), ("documentation", "audio"), ("server", "font")];
        for (int i = 0; i < related.Length; i++)
        {
            float near = vectors.Similarity(related[i].Item1, related[i].Item2), far = vectors.Similarity(unrelated[i].Item1, unrelated[i].Item2);
            output.WriteLine($"{related[i]} {near:F3}  vs  {unrelated[i]} {far:F3}");
            Assert.True(near > far + 0.1f, $"{related[i]} {near:F3} is not clearly above {unrelated[i]} {far:F3}");
        }
    }
}
