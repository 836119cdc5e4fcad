using System.Globalization;
using Nabla.Data;
using Nabla.Data.Text;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>What <c>nabla train</c> does to a model of text besides building it: pre-trained vectors into the embedding, freezing.</summary>
internal static class TextModel
{
    /// <summary>
    /// A new model's embedding starts from the <c>--embeddings</c> vectors (tokens without a vector:
    /// seeded random rows at the file's scale); with <c>--freeze-embeddings</c> (new or resumed) the
    /// table gets no gradient. Returns a line for the report, or null.
    /// </summary>
    /// <exception cref="UsageException">The vectors' dimension differs from the embedding's, or the model has no embedding.</exception>
    public static string? Prepare(Sequential model, TextSettings text, TextVectorization vectorizer, bool isNew, ulong seed)
    {
        if (text.Embeddings is null && !text.FreezeEmbeddings) return null;
        var embedding = model.OfType<Embedding>().FirstOrDefault()
            ?? throw new UsageException("--embeddings and --freeze-embeddings need a model with an embedding(dim) layer");
        string? report = null;
        if (isNew && text.Embeddings is { } path)
        {
            var vectors = WordVectors.Load(path);
            if (vectors.Dimension != embedding.EmbeddingDim)
                throw new UsageException($"--embeddings {path} holds {vectors.Dimension}-dimensional vectors, but the model's embedding has {embedding.EmbeddingDim} (use embedding({vectors.Dimension}), or vectors of size {embedding.EmbeddingDim}: nabla embed --dim {embedding.EmbeddingDim})");
            var table = vectors.EmbeddingMatrix(vectorizer.Vocabulary, new Rng(seed ^ 0xE3BEDD1A6), out int found);
            table.AsReadOnlySpan().CopyTo(embedding.Weight.AsSpan());
            report = string.Create(CultureInfo.InvariantCulture,
                $"embeddings {path}: {vectors.Count:N0} vectors of {vectors.Dimension}; {found:N0} of the {vectorizer.Vocabulary.Count - 2:N0} vocabulary tokens found, the others start random");
        }
        if (text.FreezeEmbeddings) embedding.Weight.RequiresGrad = false;
        return report;
    }

    /// <summary>
    /// The texts of <paramref name="path"/>'s column <see cref="ModelInfo.TextColumn"/> (a CSV/TSV with a
    /// header), encoded by the model's vectorizer, with placeholder targets.
    /// </summary>
    /// <exception cref="DataSpecException">The file has no such column (names those it has).</exception>
    public static TextDataset ReadInputs(string path, ModelInfo info, char? delimiter)
    {
        var table = TextTable.Read(path, delimiter);
        string column = info.TextColumn ?? throw new ModelFileException("the model stores a text vectorization but no text column");
        int c = Array.IndexOf(table.Header!, column);
        if (c < 0) throw new DataSpecException($"{path}: the model reads texts from a column '{column}', which the file lacks (columns: {string.Join(", ", table.Header!)})");
        string[] texts = [.. table.Rows.Select(r => r[c])];
        using (TensorScope.Suspend()) return TextDataset.FromTexts(info.Vectorizer!, texts, Tensor.Zeros(texts.Length, 1));
    }

    /// <summary>One line describing a vectorizer, e.g. for <c>inspect</c>.</summary>
    public static string Describe(TextVectorization v, string? column) => string.Create(CultureInfo.InvariantCulture,
        $"{(column is null ? "" : $"column '{column}', ")}vocabulary {v.Vocabulary.Count:N0} tokens (max_tokens {(v.MaxTokens is int m ? m.ToString("N0", CultureInfo.InvariantCulture) : "none")}, min_count {v.MinCount}), ngrams {v.Tokenizer.NGrams}, stop words {(v.Tokenizer.RemoveStopWords ? "english" : "kept")}, sequence length {(v.OutputSequenceLength is int l ? l.ToString(CultureInfo.InvariantCulture) : "each batch's longest")}");
}
