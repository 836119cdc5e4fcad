using Nabla.Data.Text;

namespace Nabla.Tests.Data.Text;

public class VocabularyTests
{
    private static readonly string[][] Rows = [["b", "a", "c", "a"], ["c", "d", "a"], ["e", "b"]];

    [Fact]
    public void Orders_by_count_then_ordinal_after_padding_and_oov()
    {
        var v = Vocabulary.Build(Rows);
        Assert.Equal(["", "[UNK]", "a", "b", "c", "d", "e"], v.Tokens);
        Assert.Equal(2, v.IndexOf("a"));
        Assert.Equal(Vocabulary.OovIndex, v.IndexOf("zebra"));
    }

    [Fact]
    public void Max_tokens_counts_padding_and_oov_and_min_count_drops_rare_tokens()
    {
        Assert.Equal(["", "[UNK]", "a", "b"], Vocabulary.Build(Rows, maxTokens: 4).Tokens);
        Assert.Equal(["", "[UNK]", "a", "b", "c"], Vocabulary.Build(Rows, minCount: 2).Tokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Rows, maxTokens: 1));
    }

    [Fact]
    public void From_tokens_rejects_empty_repeated_and_oov_tokens()
    {
        Assert.Equal(3, Vocabulary.FromTokens(["x"]).Count);
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens(["x", "x"]));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens([""]));
        Assert.Throws<ArgumentException>(() => Vocabulary.FromTokens(["[UNK]"]));
    }
}
