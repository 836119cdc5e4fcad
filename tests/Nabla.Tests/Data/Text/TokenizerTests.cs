using Nabla.Data.Text;

namespace Nabla.Tests.Data.Text;

public class TokenizerTests
{
    [Fact]
    public void Standardizes_like_keras_text_vectorization()
    {
        // Keras: lowercase, then delete every character of Python's string.punctuation.
        Assert.Equal("dont stop emails  now", Tokenizer.Standardize("Don't STOP e-mails -- now!"));
        Assert.Equal("cgtk3 apps ärger 100", Tokenizer.Standardize("C++/GTK3 apps: Ärger (100%)"));
        foreach (char ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") Assert.True(Tokenizer.IsPunctuation(ch), $"'{ch}'");
        foreach (char ch in "aZ09 é€—") Assert.False(Tokenizer.IsPunctuation(ch), $"'{ch}'");
    }

    [Fact]
    public void Splits_on_any_whitespace()
    {
        Assert.Equal(["a", "quick", "fox"], new Tokenizer().Tokenize("  A\tquick\n\nfox  "));
        Assert.Empty(new Tokenizer().Tokenize(" ... "));
    }

    [Fact]
    public void Removes_stop_words_before_forming_ngrams()
    {
        var tokens = new Tokenizer(removeStopWords: true, ngrams: 2).Tokenize("The manager of the window is fast");
        Assert.Equal(["manager", "window", "fast", "manager window", "window fast"], tokens);
    }

    [Fact]
    public void Ngrams_follow_the_words_in_keras_order()
    {
        Assert.Equal(["a", "b", "c", "a b", "b c", "a b c"], new Tokenizer(ngrams: 3).Tokenize("a b c"));
        Assert.Equal(["a"], new Tokenizer(ngrams: 3).Tokenize("a"));
    }

    [Fact]
    public void The_stop_word_list_is_standardized_and_keeps_content_words()
    {
        Assert.All(EnglishStopWords.Words, w => Assert.Equal(Tokenizer.Standardize(w), w));
        Assert.Equal(EnglishStopWords.Words.Count, EnglishStopWords.Words.Distinct().Count());
        Assert.True(EnglishStopWords.Contains("dont"));
        Assert.False(EnglishStopWords.Contains("shell"));
        Assert.False(EnglishStopWords.Contains("python"));
    }
}
