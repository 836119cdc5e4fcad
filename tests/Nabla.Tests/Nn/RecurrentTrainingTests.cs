using System.IO.Compression;
using System.Text;
using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Nn;

/// <summary>
/// A character BiLSTM learns where the spaces of real Debian package descriptions were (the task of
/// samples/WordSegmentation, on a slice of the data): padded batches, lengths from the zero padding,
/// per-character cross-entropy that ignores padding, token F1.
/// </summary>
public class RecurrentTrainingTests
{
    [Fact]
    public void A_character_bilstm_restores_the_spaces_of_real_descriptions()
    {
        var rows = Descriptions(2500);
        var train = rows.Where((_, i) => i % 5 != 0).ToList();
        var test = rows.Where((_, i) => i % 5 == 0).ToList();
        var vocabulary = new Dictionary<int, int>();
        foreach (var (chars, _) in train)
            foreach (int c in chars) vocabulary.TryAdd(c, vocabulary.Count + 2);

        var rng = new Rng(7);
        var embedding = Tensor.Randn(new Shape(vocabulary.Count + 2, 16), rng);
        embedding.AsSpan()[..16].Clear();   // padding id 0 → zero vector, which maskPadding reads as "past the end"
        embedding.RequiresGrad = true;
        var lstm = new LSTM(16, 32, rng, bidirectional: true, returns: RecurrentReturn.Sequence, maskPadding: true);
        var head = new Dense(64, 2, rng);
        var adam = new Adam([embedding, .. lstm.Parameters(), .. head.Parameters()], 1e-2f);
        var loss = new CrossEntropyLoss();
        Tensor Forward(Tensor ids) =>
            head.Forward(lstm.Forward(embedding.IndexSelect(0, ids.Reshape(-1)).Reshape(ids.Shape[0], ids.Shape[1], 16)));

        var batches = Batches(train, vocabulary, 16);
        for (int epoch = 0; epoch < 3; epoch++)
            foreach (var (ids, labels) in batches)
            {
                using (TensorScope.Begin("training step"))
                    loss.Forward(Forward(ids).Reshape(-1, 2), labels.Reshape(-1)).Backward();
                adam.Step();
                adam.ZeroGrad();
            }

        var f1 = new TokenF1();
        using (GradMode.NoGrad())
            foreach (var (ids, labels) in Batches(test, vocabulary, 64))
                using (TensorScope.Begin()) f1.Update(Forward(ids), labels);
        Assert.True(f1.Result >= 0.8, $"boundary F1 {f1.Result:F4} (precision {f1.Precision:F4}, recall {f1.Recall:F4})");
    }

    private static List<(int[] Chars, float[] SpaceAfter)> Descriptions(int count)
    {
        var rows = new List<(int[], float[])>();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(TestData.Path_("debian-packages.tsv.gz")), CompressionMode.Decompress), Encoding.UTF8);
        int description = Array.IndexOf(reader.ReadLine()!.Split('\t'), "description");
        for (string? line; rows.Count < count && (line = reader.ReadLine()) is not null;)
        {
            var chars = new List<int>();
            var labels = new List<float>();
            foreach (var word in line.Split('\t')[description].Split(' ', StringSplitOptions.RemoveEmptyEntries))
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
            rows.Add(([.. chars], [.. labels]));
        }
        return rows;
    }

    private static List<(Tensor Ids, Tensor Labels)> Batches(List<(int[] Chars, float[] SpaceAfter)> rows, Dictionary<int, int> vocabulary, int size)
    {
        var sorted = rows.OrderBy(r => r.Chars.Length).ToList();
        var batches = new List<(Tensor, Tensor)>();
        for (int s = 0; s < sorted.Count; s += size)
        {
            var members = sorted.GetRange(s, Math.Min(size, sorted.Count - s));
            int t = members.Max(m => m.Chars.Length);
            var ids = Tensor.Zeros(members.Count, t);
            var labels = Tensor.Full(new Shape(members.Count, t), -100f);
            for (int r = 0; r < members.Count; r++)
                for (int j = 0; j < members[r].Chars.Length; j++)
                {
                    ids[r, j] = vocabulary.GetValueOrDefault(members[r].Chars[j], 1);
                    labels[r, j] = members[r].SpaceAfter[j];
                }
            batches.Add((ids, labels));
        }
        return batches;
    }
}
