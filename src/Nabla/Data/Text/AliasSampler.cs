using Nabla.Tensors;

namespace Nabla.Data.Text;

/// <summary>
/// Draws index i with probability wᵢ / Σw in constant time (Vose's alias method): word2vec's
/// negative-sampling table without its 10⁸-entry array.
/// </summary>
internal sealed class AliasSampler
{
    private readonly float[] _accept;
    private readonly int[] _alias;

    /// <summary>A sampler for the non-negative weights <paramref name="weights"/> (not all zero).</summary>
    public AliasSampler(ReadOnlySpan<double> weights)
    {
        int n = weights.Length;
        if (n == 0) throw new ArgumentException("alias sampler needs at least one weight", nameof(weights));
        double total = 0;
        foreach (double w in weights) total += w;
        if (!(total > 0)) throw new ArgumentException("alias sampler needs a positive total weight", nameof(weights));
        _accept = new float[n];
        _alias = new int[n];
        var scaled = new double[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        // Pushed in descending index order so the table is the same on every run.
        for (int i = n - 1; i >= 0; i--)
        {
            scaled[i] = weights[i] * n / total;
            (scaled[i] < 1 ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            int s = small.Pop(), l = large.Pop();
            _accept[s] = (float)scaled[s];
            _alias[s] = l;
            scaled[l] -= 1 - scaled[s];
            (scaled[l] < 1 ? small : large).Push(l);
        }
        while (large.Count > 0) { int l = large.Pop(); _accept[l] = 1f; _alias[l] = l; }
        while (small.Count > 0) { int s = small.Pop(); _accept[s] = 1f; _alias[s] = s; }
    }

    /// <summary>One draw.</summary>
    public int Sample(Rng rng)
    {
        ulong r = rng.NextUInt64();
        int i = (int)((r >> 32) * (ulong)_accept.Length >> 32);
        float u = (uint)r * (1f / 4294967296f);
        return u < _accept[i] ? i : _alias[i];
    }
}
