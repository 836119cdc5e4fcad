using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Training;

// Minimal stand-ins for unit tests of the training loop, independent of the Nn/Optim layers'
// own classes (the real-data tests use those).

/// <summary>y = x Wᵀ + b with W [out, in], uniform ±1/√in initialisation.</summary>
internal sealed class TestLinear : Module
{
    private readonly Tensor _w;
    private readonly Tensor _b;

    public TestLinear(int inputs, int outputs, Rng rng)
    {
        _w = Tensor.Persistent(new Shape(outputs, inputs));
        float bound = 1f / MathF.Sqrt(inputs);
        rng.FillUniform(_w.AsSpan(), -bound, bound);
        _b = Tensor.Persistent(new Shape(outputs));
        RegisterParameter("weight", _w);
        RegisterParameter("bias", _b);
    }

    public override Tensor Forward(Tensor input) => input.MatMul(_w.T()) + _b;
}

/// <summary>Dense layers with ReLU between them and an optional sigmoid at the end.</summary>
internal sealed class TestMlp : Module
{
    private readonly TestLinear[] _layers;
    private readonly bool _sigmoid;

    public TestMlp(Rng rng, bool sigmoidOutput, params int[] sizes)
    {
        _layers = new TestLinear[sizes.Length - 1];
        for (int i = 0; i < _layers.Length; i++) _layers[i] = RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new TestLinear(sizes[i], sizes[i + 1], rng));
        _sigmoid = sigmoidOutput;
    }

    public override Tensor Forward(Tensor input)
    {
        var h = input;
        for (int i = 0; i < _layers.Length; i++)
        {
            h = _layers[i].Forward(h);
            if (i < _layers.Length - 1) h = h.Relu();
        }
        return _sigmoid ? h.Sigmoid() : h;
    }
}

/// <summary>Mean softmax cross-entropy of logits [N, C] against class indices [N].</summary>
internal sealed class TestCrossEntropy : Loss
{
    public override Tensor Forward(Tensor prediction, Tensor target) =>
        -prediction.LogSoftmax(-1).Gather(1, target.Reshape(target.Numel, 1)).Mean();
}

/// <summary>Mean squared error.</summary>
internal sealed class TestMse : Loss
{
    public override Tensor Forward(Tensor prediction, Tensor target) => (prediction - target).Square().Mean();
}

/// <summary>Adam with bias correction, updating spans in place.</summary>
internal sealed class TestAdam : Optimizer
{
    private readonly float[][] _m;
    private readonly float[][] _v;

    public TestAdam(IEnumerable<Tensor> parameters, float lr = 1e-3f) : base(parameters, lr)
    {
        _m = [.. Parameters.Select(p => new float[p.Numel])];
        _v = [.. Parameters.Select(p => new float[p.Numel])];
    }

    public override void Step()
    {
        StepCount++;
        float c1 = 1 - MathF.Pow(0.9f, StepCount), c2 = 1 - MathF.Pow(0.999f, StepCount);
        for (int k = 0; k < Parameters.Count; k++)
        {
            var p = Parameters[k];
            if (p.Grad is null) continue;
            var w = p.AsSpan();
            var g = p.Grad.AsSpan();
            var m = _m[k];
            var v = _v[k];
            for (int i = 0; i < w.Length; i++)
            {
                m[i] = 0.9f * m[i] + 0.1f * g[i];
                v[i] = 0.999f * v[i] + 0.001f * g[i] * g[i];
                w[i] -= LearningRate * (m[i] / c1) / (MathF.Sqrt(v[i] / c2) + 1e-8f);
            }
        }
    }

    public override IReadOnlyDictionary<string, Tensor> StateDict() => new Dictionary<string, Tensor>();

    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) { }
}

internal static class TestData
{
    /// <summary>Repository root (holds Nabla.slnx); shared data sit at ../shared/data from it.</summary>
    public static string DataDir
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) dir = dir.Parent;
            if (dir is null) throw new InvalidOperationException("cannot find the repository root (Nabla.slnx)");
            var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
            if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"real data sets are missing: {data}");
            return data;
        }
    }

    public static string Path_(params string[] parts) => Path.Combine([DataDir, .. parts]);
}
