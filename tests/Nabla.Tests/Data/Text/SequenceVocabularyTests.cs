using Nabla.Data;
using Nabla.Data.Text;

namespace Nabla.Tests.Data.Text;

public sealed class SequenceVocabularyTests
{
    [Fact]
    public void Characters_get_ids_after_the_four_special_tokens_most_frequent_first()
    {
        var v = SequenceVocabulary.Build(["abba", "cab"], SequenceTokens.Char);
        Assert.Equal(7, v.Count);
        Assert.Equal(["", "[UNK]", "[START]", "[END]", "a", "b", "c"], Enumerable.Range(0, v.Count).Select(i => v[i]));
        Assert.Equal([6, 4, 5, 1], v.Encode("cabz"));
        Assert.Equal("cab\uFFFD", v.Decode([SequenceVocabulary.Start, 6, 4, 5, 1, SequenceVocabulary.End, SequenceVocabulary.Padding]));
        Assert.Equal(("z", 3), v.FirstUnknown("cabz"));
        Assert.Null(v.FirstUnknown("abc"));
    }

    [Fact]
    public void Characters_are_unicode_scalar_values_so_an_emoji_is_one_token()
    {
        var v = SequenceVocabulary.Build(["a😀b"], SequenceTokens.Char);
        Assert.Equal(3, v.Length("a😀b"));
        Assert.Equal("a😀b", v.Decode(v.Encode("a😀b")));
    }

    [Fact]
    public void Words_keep_case_and_punctuation_and_decode_joined_by_one_space()
    {
        var v = SequenceVocabulary.Build(["Hello,  world", "hello world"], SequenceTokens.Word);
        Assert.True(v.Contains("Hello,"));
        Assert.True(v.Contains("hello"));
        Assert.Equal("Hello, world", v.Decode(v.Encode(" Hello,\tworld ")));
    }

    [Fact]
    public void Json_round_trip_keeps_the_token_kind_and_every_id()
    {
        var v = SequenceVocabulary.Build(["2021-03-03", "1999-12-31"], SequenceTokens.Char);
        var back = SequenceVocabulary.FromJson(v.ToJson());
        Assert.Equal(SequenceTokens.Char, back.Tokens);
        Assert.Equal(Enumerable.Range(0, v.Count).Select(i => v[i]), Enumerable.Range(0, back.Count).Select(i => back[i]));
    }

    [Theory]
    [InlineData("[]", "expected an object")]
    [InlineData("{\"format\":\"nabla.sequence_vocabulary\",\"version\":1,\"tokens\":\"bytes\",\"vocabulary\":[]}", "\"tokens\" must be")]
    [InlineData("{\"format\":\"nabla.sequence_vocabulary\",\"version\":1,\"tokens\":\"char\",\"vocabulary\":[\"a\",\"a\"]}", "appears twice")]
    [InlineData("{\"format\":\"nabla.sequence_vocabulary\"", "sequence vocabulary JSON")]
    public void Damaged_json_is_a_data_format_error(string json, string message) =>
        Assert.Contains(message, Assert.Throws<DataFormatException>(() => SequenceVocabulary.FromJson(json)).Message, StringComparison.Ordinal);
}
