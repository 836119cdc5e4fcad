using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Weight initializers, as <c>torch.nn.init</c> and Keras' <c>initializers</c>. Each factory
/// returns an <see cref="IInitializer"/>; fan_in and fan_out are computed like PyTorch
/// (<see cref="Fans"/>).
/// </summary>
/// <example><code>
/// var layer = new Dense(784, 256, rng, weightInit: Init.HeNormal(), biasInit: Init.Zeros());
/// Init.GlorotUniform().Initialize(someTensor, rng);
/// </code></example>
public static class Init
{
    /// <summary>
    /// fan_in and fan_out as in PyTorch: for a weight <c>[out, in, k₁, k₂, …]</c> the receptive
    /// field r = k₁·k₂·…, fan_in = in·r and fan_out = out·r. A 1-D tensor (a bias) has
    /// fan_in = fan_out = its length.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is a scalar.</exception>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank == 0) throw new ArgumentException("fan_in/fan_out are undefined for a scalar shape []", nameof(shape));
        if (shape.Rank == 1) return (shape[0], shape[0]);
        int receptive = shape.Product(2, shape.Rank);
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>
    /// Glorot (Xavier) uniform: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)); keeps the
    /// variance of activations and gradients equal across layers for tanh/linear units.
    /// </summary>
    public static IInitializer GlorotUniform(double gain = 1) => new Scheme("glorot_uniform", (t, rng) =>
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        float b = (float)gain * MathF.Sqrt(6f / (fanIn + fanOut));
        rng.FillUniform(t.AsSpan(), -b, b);
    });

    /// <summary>Glorot (Xavier) normal: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)).</summary>
    public static IInitializer GlorotNormal(double gain = 1) => new Scheme("glorot_normal", (t, rng) =>
    {
        var (fanIn, fanOut) = Fans(t.Shape);
        rng.FillNormal(t.AsSpan(), 0f, (float)gain * MathF.Sqrt(2f / (fanIn + fanOut)));
    });

    /// <summary>
    /// He (Kaiming) uniform for (leaky) ReLU layers: U(−b, b) with b = g·√(3 / fan_in) and
    /// g = √(2 / (1 + a²)), so a = 0 gives b = √(6 / fan_in). With a = √5 this is PyTorch's
    /// default for <c>nn.Linear</c> weights: b = 1/√fan_in.
    /// </summary>
    /// <param name="a">Negative slope of the leaky ReLU that follows (0 for ReLU).</param>
    public static IInitializer HeUniform(double a = 0) => new Scheme(a == 0 ? "he_uniform" : $"he_uniform(a={a:G4})", (t, rng) =>
    {
        float slope = (float)a, b = MathF.Sqrt(2f / (1f + slope * slope)) * MathF.Sqrt(3f / Fans(t.Shape).FanIn);
        rng.FillUniform(t.AsSpan(), -b, b);
    });

    /// <summary>He (Kaiming) normal: N(0, σ²) with σ = √(2 / ((1 + a²)·fan_in)); a = 0 gives variance 2/fan_in.</summary>
    /// <param name="a">Negative slope of the leaky ReLU that follows (0 for ReLU).</param>
    public static IInitializer HeNormal(double a = 0) => new Scheme(a == 0 ? "he_normal" : $"he_normal(a={a:G4})", (t, rng) =>
        rng.FillNormal(t.AsSpan(), 0f, MathF.Sqrt(2f / ((1f + (float)a * (float)a) * Fans(t.Shape).FanIn))));

    /// <summary>Small uniform values U(−scale, scale) (Keras' RandomUniform with symmetric bounds).</summary>
    public static IInitializer Uniform(double scale = 0.05)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        return new Scheme($"uniform({scale:G4})", (t, rng) => rng.FillUniform(t.AsSpan(), -(float)scale, (float)scale));
    }

    /// <summary>Small normal values N(0, std²).</summary>
    public static IInitializer Normal(double std = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(std);
        return new Scheme($"normal({std:G4})", (t, rng) => rng.FillNormal(t.AsSpan(), 0f, (float)std));
    }

    /// <summary>Every element equal to <paramref name="value"/> (the rng is not used).</summary>
    public static IInitializer Constant(double value) => new Scheme($"constant({value:G4})", (t, _) => t.AsSpan().Fill((float)value));

    /// <summary>All zeros (Keras' default for biases).</summary>
    public static IInitializer Zeros() => new Scheme("zeros", (t, _) => t.AsSpan().Clear());

    /// <summary>All ones (the usual BatchNorm γ).</summary>
    public static IInitializer Ones() => new Scheme("ones", (t, _) => t.AsSpan().Fill(1f));

    /// <summary>
    /// Sparse initialization (Martens 2010): every unit — a row of a <c>[out, in, …]</c> weight,
    /// i.e. one output neuron's incoming weights — gets exactly <paramref name="nonZeroPerUnit"/>
    /// non-zero weights at random positions, drawn from N(0, std²); the rest are zero. Martens
    /// used 15 per unit. (PyTorch's <c>sparse_</c> instead zeros a fraction of each column; see
    /// <see cref="SparseFraction"/> for the fraction form, also per unit.)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative.</exception>
    public static IInitializer SparseCount(int nonZeroPerUnit, double std = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nonZeroPerUnit);
        return new Scheme($"sparse({nonZeroPerUnit} per unit)", (t, rng) => FillSparse(t, rng, _ => nonZeroPerUnit, (float)std));
    }

    /// <summary>
    /// Sparse initialization by fraction: in every unit (row) a fraction <paramref name="sparsity"/>
    /// of the incoming weights, ⌈sparsity·fan_in⌉ of them, is zero and the others are N(0, std²).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">sparsity is outside [0, 1].</exception>
    public static IInitializer SparseFraction(double sparsity = 0.9, double std = 0.01)
    {
        if (!(sparsity >= 0 && sparsity <= 1)) throw new ArgumentOutOfRangeException(nameof(sparsity), $"sparsity must be in [0, 1], got {sparsity}");
        return new Scheme($"sparse({sparsity:G4} zero)", (t, rng) =>
            FillSparse(t, rng, fanIn => fanIn - (int)Math.Ceiling((float)sparsity * (double)fanIn), (float)std));
    }

    /// <summary>
    /// Looks an initializer up by its Keras name: glorot_uniform (xavier_uniform), glorot_normal
    /// (xavier_normal), he_uniform (kaiming_uniform), he_normal (kaiming_normal), zeros, ones.
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static IInitializer FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "glorot_uniform" or "xavier_uniform" => GlorotUniform(),
            "glorot_normal" or "xavier_normal" => GlorotNormal(),
            "he_uniform" or "kaiming_uniform" => HeUniform(),
            "he_normal" or "kaiming_normal" => HeNormal(),
            "zeros" => Zeros(),
            "ones" => Ones(),
            _ => throw new ArgumentException(
                $"unknown initializer '{name}'; known: glorot_uniform, xavier_uniform, glorot_normal, xavier_normal, he_uniform, kaiming_uniform, he_normal, kaiming_normal, zeros, ones",
                nameof(name)),
        };
    }

    private static void FillSparse(Tensor t, Rng rng, Func<int, int> nonZeroCount, float std)
    {
        if (t.Rank < 2) throw new ArgumentException($"sparse initialization needs a weight of rank ≥ 2 ([out, in, …]), got shape {t.Shape}", nameof(t));
        int units = t.Shape[0];
        int fanIn = t.Numel / Math.Max(units, 1);
        int k = nonZeroCount(fanIn);
        if (k > fanIn)
            throw new ArgumentOutOfRangeException(nameof(nonZeroCount), $"sparse initialization asks for {k} non-zero weights per unit but shape {t.Shape} has only {fanIn} inputs per unit");
        var data = t.AsSpan();
        data.Clear();
        var positions = new int[fanIn];
        for (int u = 0; u < units; u++)
        {
            // Partial Fisher–Yates: the first k entries become a uniform random k-subset.
            for (int i = 0; i < fanIn; i++) positions[i] = i;
            var row = data.Slice(u * fanIn, fanIn);
            for (int i = 0; i < k; i++)
            {
                int j = i + rng.NextInt(fanIn - i);
                (positions[i], positions[j]) = (positions[j], positions[i]);
                row[positions[i]] = std * rng.NextGaussian();
            }
        }
    }

    private sealed class Scheme(string name, Action<Tensor, Rng> fill) : IInitializer
    {
        public string Name => name;

        public void Initialize(Tensor tensor, Rng rng)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            ArgumentNullException.ThrowIfNull(rng);
            if (!tensor.IsContiguous) throw new ArgumentException($"initializer {name} needs a contiguous tensor, got a view of shape {tensor.Shape}", nameof(tensor));
            fill(tensor, rng);
        }

        public override string ToString() => name;
    }
}
