using System.IO.Compression;
using System.Text;
using Nabla.Tensors;

namespace WordSegmentation;

/// <summary>One description without its spaces: code points and, per code point, 1 when a space followed it.</summary>
public sealed record Sentence(int[] Chars, float[] SpaceAfter);

/// <summary>A padded batch: ids [N, T] (0 = padding), labels [N, T] (−100 on padding) and the number of labelled tokens.</summary>
public sealed record Batch(Tensor Ids, Tensor Labels, int Tokens);

/// <summary>
/// Word segmentation data from the <c>description</c> column of debian-packages.tsv.gz, prepared exactly as
/// bench/peers/word-segmentation.py prepares it, so the two programs train on the same rows and batches.
/// </summary>
public static class SegmentationData
{
    /// <summary>
    /// Reads every row: words are the description split on ' ' (empty pieces dropped), characters are
    /// Unicode code points. A row is a test row when FNV-1a-64 of the UTF-8 bytes of "{seed}:{package}"
    /// is 0 mod 5 — a seeded 80/20 split any language can reproduce.
    /// </summary>
    public static (List<Sentence> Train, List<Sentence> Test) Load(string path, ulong seed, int limit)
    {
        var train = new List<Sentence>();
        var test = new List<Sentence>();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress), Encoding.UTF8);
        var header = (reader.ReadLine() ?? throw new InvalidDataException($"{path}: empty file")).Split('\t');
        int packageColumn = Array.IndexOf(header, "package"), descriptionColumn = Array.IndexOf(header, "description");
        if (packageColumn < 0 || descriptionColumn < 0) throw new InvalidDataException($"{path}: header has no 'package' and 'description' columns");
        var chars = new List<int>();
        var labels = new List<float>();
        int lineNumber = 1;
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            lineNumber++;
            var parts = line.Split('\t');
            if (parts.Length <= Math.Max(packageColumn, descriptionColumn))
                throw new InvalidDataException($"{path}, line {lineNumber}: {parts.Length} columns, expected {header.Length}");
            chars.Clear();
            labels.Clear();
            foreach (var word in parts[descriptionColumn].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var rune in word.EnumerateRunes())
                {
                    chars.Add(rune.Value);
                    labels.Add(0f);
                }
                labels[^1] = 1f;
            }
            if (chars.Count == 0) continue;
            labels[^1] = 0f;
            var sentence = new Sentence([.. chars], [.. labels]);
            (Fnv1a64($"{seed}:{parts[packageColumn]}") % 5 == 0 ? test : train).Add(sentence);
            if (limit > 0 && train.Count + test.Count >= limit) break;
        }
        return (train, test);
    }

    /// <summary>Ids 2, 3, … for the training characters by falling count (ties by code point); 0 is padding, 1 unknown.</summary>
    public static Dictionary<int, int> Vocabulary(IEnumerable<Sentence> rows)
    {
        var counts = new Dictionary<int, int>();
        foreach (var row in rows)
            foreach (int c in row.Chars) counts[c] = counts.GetValueOrDefault(c) + 1;
        var vocabulary = new Dictionary<int, int>();
        foreach (var (c, _) in counts.OrderBy(p => -p.Value).ThenBy(p => p.Key)) vocabulary[c] = vocabulary.Count + 2;
        return vocabulary;
    }

    /// <summary>Rows sorted by length (stable) and cut into batches of <paramref name="size"/>, so a batch has little padding.</summary>
    public static List<Batch> Batches(List<Sentence> rows, Dictionary<int, int> vocabulary, int size)
    {
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Chars.Length).ToArray();
        var batches = new List<Batch>();
        for (int start = 0; start < order.Length; start += size)
        {
            var members = order.AsSpan(start, Math.Min(size, order.Length - start));
            int t = 0, tokens = 0;
            foreach (int i in members) t = Math.Max(t, rows[i].Chars.Length);
            var ids = Tensor.Zeros(members.Length, t);
            var labels = Tensor.Full(new Shape(members.Length, t), -100f);
            var idSpan = ids.AsSpan();
            var labelSpan = labels.AsSpan();
            for (int r = 0; r < members.Length; r++)
            {
                var row = rows[members[r]];
                for (int j = 0; j < row.Chars.Length; j++)
                {
                    idSpan[r * t + j] = vocabulary.GetValueOrDefault(row.Chars[j], 1);
                    labelSpan[r * t + j] = row.SpaceAfter[j];
                }
                tokens += row.Chars.Length;
            }
            batches.Add(new Batch(ids, labels, tokens));
        }
        return batches;
    }

    private static ulong Fnv1a64(string text)
    {
        ulong h = 0xcbf29ce484222325;
        foreach (byte b in Encoding.UTF8.GetBytes(text)) h = (h ^ b) * 0x100000001b3;
        return h;
    }
}
