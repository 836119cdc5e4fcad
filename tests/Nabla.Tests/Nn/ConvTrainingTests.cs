using System.Buffers.Binary;
using System.IO.Compression;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

public class ConvTrainingTests
{
    [Fact]
    public void Small_cnn_learns_fashion_mnist_subset_to_at_least_78_percent_in_two_epochs()
    {
        // 4000 training images, 1000 test images, fixed seed: a real-data check that conv, pooling
        // and their gradients work together (an untrained net scores ~10%).
        var dir = DataDirectory();
        var (trainX, trainY) = Read(dir, "train", 4000);
        var (testX, testY) = Read(dir, "t10k", 1000);
        var rng = new Rng(11);
        var conv1 = new Conv2d(1, 8, 3, rng, padding: 1);
        var conv2 = new Conv2d(8, 16, 3, rng, padding: 1);
        var bn = new BatchNorm2d(16);
        var head = Tensor.Zeros(10, 16 * 7 * 7);
        rng.FillUniform(head.AsSpan(), -1f / 28, 1f / 28);
        head.RequiresGrad = true;
        var headBias = Tensor.Zeros(10);
        headBias.RequiresGrad = true;
        Tensor Forward(Tensor x)
        {
            var h = conv1.Forward(x).Relu().MaxPool2d(2);
            h = bn.Forward(conv2.Forward(h)).Relu().MaxPool2d(2).Flatten();
            return h.MatMul(head.T()) + headBias;
        }
        var parameters = conv1.Parameters().Concat(conv2.Parameters()).Concat(bn.Parameters()).Append(head).Append(headBias).ToList();
        var adam = new TestAdam(parameters, 2e-3f);
        var augment = new Augmentation(rng.Fork()) { MaxShift = 1 };
        var order = Enumerable.Range(0, 4000).ToArray();
        const int Batch = 50, Pixels = 784; // 4000 = 80 full batches
        for (int epoch = 0; epoch < 2; epoch++)
        {
            rng.Shuffle(order.AsSpan());
            for (int start = 0; start < order.Length; start += Batch)
            {
                using var scope = TensorScope.Begin();
                var x = Tensor.Zeros(Batch, 1, 28, 28);
                var t = Tensor.Zeros(Batch, 1);
                for (int i = 0; i < Batch; i++)
                {
                    int k = order[start + i];
                    trainX.AsSpan(k * Pixels, Pixels).CopyTo(x.AsSpan().Slice(i * Pixels, Pixels));
                    t.AsSpan()[i] = trainY[k];
                }
                if (epoch == 1) augment.Apply(x);
                var loss = -Forward(x).LogSoftmax(1).Gather(1, t).Mean();
                foreach (var p in parameters) p.Grad?.AsSpan().Clear();
                loss.Backward();
                adam.Step();
            }
        }
        bn.Eval();
        int correct = 0;
        using (GradMode.NoGrad())
        using (TensorScope.Begin())
        {
            var x = Tensor.FromArray(testX, 1000, 1, 28, 28);
            var predicted = Forward(x).ArgMax(1).ToArray();
            for (int i = 0; i < 1000; i++) if ((int)predicted[i] == testY[i]) correct++;
        }
        Assert.True(correct >= 780, $"test accuracy {correct / 1000.0:F3} is below 0.78");
    }

    private static string DataDirectory()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Nabla.slnx")))
            {
                var data = Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "data", "fashion-mnist"));
                if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"Fashion-MNIST is missing: {data}");
                return data;
            }
        throw new DirectoryNotFoundException($"repository root (Nabla.slnx) not found above {AppContext.BaseDirectory}");
    }

    // Reads the first `count` images (scaled to [0, 1]) and labels of a gzipped IDX pair.
    private static (float[] Images, byte[] Labels) Read(string dir, string prefix, int count)
    {
        var images = Unzip(Path.Combine(dir, $"{prefix}-images-idx3-ubyte.gz"));
        var labels = Unzip(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte.gz"));
        Assert.Equal(0x803, BinaryPrimitives.ReadInt32BigEndian(images));
        Assert.Equal(0x801, BinaryPrimitives.ReadInt32BigEndian(labels));
        var x = new float[count * 784];
        for (int i = 0; i < x.Length; i++) x[i] = images[16 + i] / 255f;
        return (x, labels.AsSpan(8, count).ToArray());
    }

    private static byte[] Unzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gz.CopyTo(memory);
        return memory.ToArray();
    }

    // Adam with bias correction; local to the test until the optimizer lands on main.
    private sealed class TestAdam(List<Tensor> parameters, float lr)
    {
        private readonly float[][] _m = parameters.Select(p => new float[p.Numel]).ToArray();
        private readonly float[][] _v = parameters.Select(p => new float[p.Numel]).ToArray();
        private int _t;

        public void Step()
        {
            _t++;
            float c1 = 1 - MathF.Pow(0.9f, _t), c2 = 1 - MathF.Pow(0.999f, _t);
            for (int i = 0; i < parameters.Count; i++)
            {
                if (parameters[i].Grad is not { } g) continue;
                var theta = parameters[i].AsSpan();
                var grad = g.AsSpan();
                for (int k = 0; k < theta.Length; k++)
                {
                    _m[i][k] = 0.9f * _m[i][k] + 0.1f * grad[k];
                    _v[i][k] = 0.999f * _v[i][k] + 0.001f * grad[k] * grad[k];
                    theta[k] -= lr * (_m[i][k] / c1) / (MathF.Sqrt(_v[i][k] / c2) + 1e-8f);
                }
            }
        }
    }
}
