using System.Collections.Frozen;

namespace Nabla.Data.Text;

/// <summary>
/// A list of English stop words — articles, pronouns, prepositions, conjunctions, auxiliary and
/// modal verbs, and the commonest adverbs and determiners — written for this project (no outside
/// source, same licence as the code). Words are in their standardized form (lowercase, apostrophes
/// deleted, as <see cref="Tokenizer.Standardize"/> leaves them: "don't" → "dont"). Contractions
/// whose stripped form is also a content word ("she'll" → "shell", "I'd" → "id") are left out.
/// </summary>
/// <remarks>
/// Negations ("not", "no", "nor", "dont", …) are included, as in most published lists; drop them
/// from the list in tasks where negation carries the label (sentiment).
/// </remarks>
public static class EnglishStopWords
{
    /// <summary>The words, in alphabetical order.</summary>
    public static IReadOnlyList<string> Words { get; } =
    [
        "a", "about", "above", "after", "again", "against", "all", "almost", "also", "although", "am", "among", "an",
        "and", "another", "any", "anyone", "anything", "are", "arent", "around", "as", "at", "be", "because", "been",
        "before", "being", "below", "between", "both", "but", "by", "can", "cannot", "cant", "could", "couldnt", "did",
        "didnt", "do", "does", "doesnt", "doing", "dont", "down", "during", "each", "either", "else", "enough", "etc",
        "even", "ever", "every", "few", "for", "from", "further", "had", "hadnt", "has", "hasnt", "have", "havent",
        "having", "he", "her", "here", "heres", "hers", "herself", "hes", "him", "himself", "his", "how",
        "however", "i", "ie", "if", "im", "in", "into", "is", "isnt", "it", "its", "itself", "ive", "just",
        "least", "less", "let", "lets", "may", "me", "might", "mine", "more", "most", "much", "must", "mustnt", "my",
        "myself", "neither", "never", "no", "nor", "not", "now", "of", "off", "often", "on", "once", "one", "only",
        "onto", "or", "other", "others", "otherwise", "ought", "our", "ours", "ourselves", "out", "over", "own",
        "per", "perhaps", "quite", "rather", "same", "shall", "shant", "she", "shes", "should",
        "shouldnt", "since", "so", "some", "such", "than", "that", "thats", "the", "their", "theirs", "them",
        "themselves", "then", "there", "theres", "these", "they", "theyd", "theyll", "theyre", "theyve", "this",
        "those", "though", "through", "thus", "to", "too", "toward", "towards", "under", "until", "up", "upon", "us",
        "very", "via", "was", "wasnt", "we", "well", "were", "werent", "weve", "what", "whats", "when",
        "whenever", "where", "whereas", "wherever", "whether", "which", "while", "who", "whom", "whos", "whose",
        "why", "will", "with", "within", "without", "wont", "would", "wouldnt", "yet", "you", "youd", "youll",
        "your", "youre", "yours", "yourself", "yourselves", "youve",
    ];

    private static readonly FrozenSet<string> Set = Words.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when <paramref name="word"/> (standardized) is a stop word.</summary>
    public static bool Contains(string word) => Set.Contains(word);
}
