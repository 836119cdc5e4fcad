using System.Globalization;
using System.IO.Compression;
using System.Text;
using Nabla.Tensors;

namespace Nabla.Data.Text;

/// <summary>
/// Word vectors in the common text format of word2vec, GloVe and fastText: one word per line
/// followed by its components separated by spaces (<c>word v1 v2 …</c>), optionally after a header
/// line <c>count dim</c> as word2vec and fastText write it. Files ending in <c>.gz</c> are gzip.
/// </summary>
/// <example><code>
/// var vectors = WordVectors.Load("vectors.txt");
/// var table = vectors.EmbeddingMatrix(vectorizer.Vocabulary, new Rng(0), out int found);   // [vocabulary, dim]
/// var embedding = Embedding.FromPretrained(table, freeze: false, paddingIdx: 0);
/// </code></example>
public sealed class WordVectors
{
    private readonly string[] _words;
    private readonly float[] _values;
    private readonly Dictionary<string, int> _index;

    /// <summary>Vectors <paramref name="values"/> (row-major, <c>[words, dimension]</c>) for <paramref name="words"/>.</summary>
    /// <exception cref="ArgumentException">The sizes disagree, or a word is empty, contains whitespace or repeats.</exception>
    public WordVectors(IReadOnlyList<string> words, float[] values, int dimension)
    {
        ArgumentNullException.ThrowIfNull(words);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (values.Length != (long)words.Count * dimension)
            throw new ArgumentException($"{words.Count} words of dimension {dimension} need {(long)words.Count * dimension} values, got {values.Length}", nameof(values));
        _words = [.. words];
        _values = values;
        Dimension = dimension;
        _index = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        for (int i = 0; i < _words.Length; i++)
        {
            var w = _words[i];
            if (string.IsNullOrEmpty(w) || w.Any(char.IsWhiteSpace))
                throw new ArgumentException($"word {i} ('{w}') is empty or contains whitespace, which the text format cannot hold", nameof(words));
            if (!_index.TryAdd(w, i)) throw new ArgumentException($"word '{w}' appears twice (rows {_index[w]} and {i})", nameof(words));
        }
    }

    /// <summary>Number of words.</summary>
    public int Count => _words.Length;

    /// <summary>Size of each vector.</summary>
    public int Dimension { get; }

    /// <summary>The words in file order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>The vector of word number <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Vector(int index) => _values.AsSpan(index * Dimension, Dimension);

    /// <summary>The vector of <paramref name="word"/>, when the file has it (exact match).</summary>
    public bool TryGetVector(string word, out ReadOnlySpan<float> vector)
    {
        if (_index.TryGetValue(word, out int i))
        {
            vector = Vector(i);
            return true;
        }
        vector = default;
        return false;
    }

    /// <summary>Cosine similarity of two words' vectors.</summary>
    /// <exception cref="KeyNotFoundException">A word has no vector.</exception>
    public float Similarity(string a, string b) => Cosine(Require(a), Require(b));

    /// <summary>The <paramref name="k"/> words whose vectors are closest to <paramref name="word"/>'s by cosine, best first.</summary>
    /// <exception cref="KeyNotFoundException">The word has no vector.</exception>
    public IReadOnlyList<(string Word, float Similarity)> MostSimilar(string word, int k = 10)
    {
        var v = Require(word);
        int self = _index[word];
        var scored = new List<(string, float)>(_words.Length);
        for (int i = 0; i < _words.Length; i++)
            if (i != self) scored.Add((_words[i], Cosine(v, Vector(i))));
        scored.Sort((x, y) => y.Item2.CompareTo(x.Item2));
        return scored.Take(k).ToList();
    }

    private ReadOnlySpan<float> Require(string word) =>
        TryGetVector(word, out var v) ? v : throw new KeyNotFoundException($"no vector for '{word}'");

    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0f : (float)(dot / Math.Sqrt(na * nb));
    }

    /// <summary>
    /// A table <c>[vocabulary.Count, Dimension]</c> for <c>Embedding.FromPretrained</c>: each token's
    /// vector from this file, the padding row (0) zero, and every other token without a vector (the
    /// OOV row included) a random vector drawn from <paramref name="rng"/> ~ N(0, σ²), σ the standard
    /// deviation of all the file's components, so they sit at the scale of the real ones.
    /// </summary>
    /// <param name="vocabulary">The tokens, by index.</param>
    /// <param name="rng">Seeded source of the missing rows.</param>
    /// <param name="found">How many vocabulary tokens (padding and OOV excluded) had a vector.</param>
    public Tensor EmbeddingMatrix(Vocabulary vocabulary, Rng rng, out int found)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(rng);
        double sum = 0, sq = 0;
        foreach (float x in _values)
        {
            sum += x;
            sq += (double)x * x;
        }
        double n = Math.Max(1, _values.Length), mean = sum / n;
        float sigma = (float)Math.Sqrt(Math.Max(0, sq / n - mean * mean));
        var table = Tensor.Zeros(vocabulary.Count, Dimension);
        var t = table.AsSpan();
        found = 0;
        for (int i = 0; i < vocabulary.Count; i++)
        {
            if (i == Vocabulary.PaddingIndex) continue;
            var row = t.Slice(i * Dimension, Dimension);
            if (i != Vocabulary.OovIndex && TryGetVector(vocabulary[i], out var v))
            {
                v.CopyTo(row);
                found++;
            }
            else
            {
                rng.FillNormal(row, 0f, sigma);
            }
        }
        return table;
    }

    /// <summary>Reads a vectors file (gzip when the name ends in <c>.gz</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A malformed line; the message names file and line.</exception>
    public static WordVectors Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"word vectors file not found: {path}", path);
        using var file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        return Read(stream, path);
    }

    /// <summary>Reads the text format from <paramref name="stream"/>; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="DataFormatException">Non-UTF-8 bytes, a bad number, a row whose dimension differs, a header that disagrees; names the line.</exception>
    public static WordVectors Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var words = new List<string>();
        var values = new List<float>();
        int dimension = 0, lineNumber = 0, headerCount = -1, duplicates = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var buffered = new BufferedStream(stream, 1 << 16);
        var bytes = new List<byte>(4096);
        while (ReadLine(buffered, bytes))
        {
            lineNumber++;
            string line;
            try
            {
                var raw = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes);
                if (lineNumber == 1 && raw.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) raw = raw[3..];
                line = strict.GetString(raw);
            }
            catch (DecoderFallbackException)
            {
                throw new DataFormatException($"{name}:{lineNumber}: the line is not valid UTF-8");
            }
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            if (lineNumber == 1 && fields.Length == 2
                && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int dim))
            {
                if (dim < 1) throw new DataFormatException($"{name}:1: the header gives dimension {dim}");
                headerCount = count;
                dimension = dim;
                continue;
            }
            if (fields.Length < 2) throw new DataFormatException($"{name}:{lineNumber}: expected a word and its vector, found '{Shorten(line)}'");
            if (dimension == 0) dimension = fields.Length - 1;
            else if (fields.Length - 1 != dimension)
                throw new DataFormatException($"{name}:{lineNumber}: the vector of '{fields[0]}' has {fields.Length - 1} components, earlier rows have {dimension}");
            if (!seen.Add(fields[0]))
            {
                duplicates++;
                continue; // the first vector of a repeated word wins
            }
            words.Add(fields[0]);
            for (int j = 1; j < fields.Length; j++)
            {
                if (!float.TryParse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new DataFormatException($"{name}:{lineNumber}:{j + 1}: '{fields[j]}' is not a finite number");
                values.Add(v);
            }
        }
        if (words.Count == 0) throw new DataFormatException($"{name}: the file holds no vectors");
        if (headerCount >= 0 && headerCount != words.Count + duplicates)
            throw new DataFormatException($"{name}:1: the header announces {headerCount} words but the file has {words.Count + duplicates}");
        return new WordVectors(words, [.. values], dimension);
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    // Reads up to '\n' (dropping a '\r' before it) into `line`; false at the end of the stream.
    private static bool ReadLine(Stream stream, List<byte> line)
    {
        line.Clear();
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b == '\n') break;
            line.Add((byte)b);
        }
        if (b < 0 && line.Count == 0) return false;
        if (line.Count > 0 && line[^1] == '\r') line.RemoveAt(line.Count - 1);
        return true;
    }

    /// <summary>
    /// Writes the text format with word2vec's header line <c>count dim</c> (gzip when the name ends in
    /// <c>.gz</c>); values are written so that they read back exactly. The file is replaced atomically.
    /// </summary>
    public void Save(string path, bool header = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        using (var file = File.Create(temporary))
        using (Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Optimal) : file)
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
        {
            writer.NewLine = "\n";
            if (header) writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Count} {Dimension}"));
            for (int i = 0; i < Count; i++)
            {
                writer.Write(_words[i]);
                foreach (float v in Vector(i))
                {
                    writer.Write(' ');
                    writer.Write(v.ToString("R", CultureInfo.InvariantCulture));
                }
                writer.WriteLine();
            }
        }
        File.Move(temporary, full, overwrite: true);
    }
}
