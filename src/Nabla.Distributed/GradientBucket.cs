using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Nabla.Tensors;

namespace Nabla.Distributed;

/// <summary>
/// A few parameters whose gradients are averaged by one all-reduce, as in PyTorch's DDP reducer. The
/// buffer lives outside the managed heap (MPI reads and writes it while training goes on, so it must
/// not move) and holds the gradients one after the other, then one more value: this process's number
/// of samples in the batch. Packing multiplies each gradient (a mean over this process's n samples)
/// by n; after the sum, dividing by the summed n gives the mean over the whole batch.
/// </summary>
internal sealed unsafe class GradientBucket : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly int[] _offsets;
    private float* _buffer;
    private nint _request;

    public GradientBucket(Tensor[] parameters)
    {
        _parameters = parameters;
        _offsets = new int[parameters.Length + 1];
        for (int i = 0; i < parameters.Length; i++) _offsets[i + 1] = checked(_offsets[i] + parameters[i].Numel);
        Length = _offsets[^1];
        _buffer = (float*)NativeMemory.AlignedAlloc((nuint)(Length + 1) * sizeof(float), 64);
        Pending = parameters.Length;
    }

    /// <summary>The parameters, in the order their gradients are packed.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Gradient elements in the bucket (the buffer holds one more: the sample count).</summary>
    public int Length { get; }

    /// <summary>Parameters whose gradient is not final yet in the current backward pass.</summary>
    public int Pending { get; set; }

    /// <summary>True from <see cref="Start"/> until the all-reduce has completed and been unpacked.</summary>
    public bool InFlight { get; private set; }

    /// <summary>True once the all-reduce is known to have completed (the result is in the buffer).</summary>
    public bool Completed { get; private set; }

    /// <summary>Packs the gradients weighted by <paramref name="samples"/> and starts their in-place sum over all processes.</summary>
    public void Start(ProcessGroup group, int samples)
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            var target = new Span<float>(_buffer + _offsets[i], _offsets[i + 1] - _offsets[i]);
            // Reading Grad settles a pending ZeroGrad; without samples this process adds nothing (not even stale values).
            if (samples == 0 || _parameters[i].Grad is not { } grad) target.Clear();
            else Scale(grad.AsReadOnlySpan(), samples, target);
        }
        _buffer[Length] = samples;
        _request = group.StartAllReduceSum(_buffer, Length + 1);
        InFlight = true;
        Completed = false;
    }

    /// <summary>Lets MPI progress; true when the all-reduce has completed.</summary>
    public bool Poll(ProcessGroup group)
    {
        if (InFlight && !Completed && group.Test(ref _request)) Completed = true;
        return Completed;
    }

    /// <summary>Waits for the sum (within the group's time limit) and writes the batch means into the gradients.</summary>
    public void Finish(ProcessGroup group)
    {
        if (!Completed) group.Wait(ref _request, "the all-reduce of the gradients");
        float total = _buffer[Length];
        float inverse = total > 0 ? 1f / total : 0f;
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            var source = new ReadOnlySpan<float>(_buffer + _offsets[i], _offsets[i + 1] - _offsets[i]);
            // Another process may have gradients where this one has none yet.
            if (p.Grad is null)
                using (TensorScope.Suspend()) p.Grad = Tensor.Zeros(p.Shape);
            Scale(source, inverse, p.Grad!.AsSpan());
        }
        InFlight = false;
        Completed = false;
        Pending = _parameters.Length;
    }

    /// <summary>Frees the buffer, unless an all-reduce may still write into it (after a failure the process ends anyway).</summary>
    public void Dispose()
    {
        if (_buffer is null || InFlight) return;
        NativeMemory.AlignedFree(_buffer);
        _buffer = null;
    }

    /// <summary><c>target[i] = source[i] · factor</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scale(ReadOnlySpan<float> source, float factor, Span<float> target)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<float>(factor);
            for (; i <= source.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(source[i..]) * f).CopyTo(target[i..]);
        }
        for (; i < source.Length; i++) target[i] = source[i] * factor;
    }
}
