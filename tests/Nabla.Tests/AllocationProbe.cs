using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests;

/// <summary>
/// Measures what a steady-state step allocates. Inside a <see cref="TensorScope"/> buffers are
/// pooled but every tensor is a new object (so a handle kept past its scope can never alias live
/// data), which makes a step's garbage a handful of tensor objects: the budget is counted in them.
/// </summary>
internal static class AllocationProbe
{
    /// <summary>
    /// Bytes allocated per call of <paramref name="step"/> after <paramref name="warmup"/> calls: the least of
    /// three rounds of <paramref name="calls"/> calls. A steady state repeats exactly, while a one-off (the runtime
    /// lazily creating a structure the first time a thread has to block on a loaded machine) lands in one round only.
    /// </summary>
    public static long PerCall(Action step, int warmup = 8, int calls = 40)
    {
        for (int i = 0; i < warmup; i++) step();
        long least = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) step();
            least = Math.Min(least, (GC.GetAllocatedBytesForCurrentThread() - before) / calls);
        }
        return least;
    }

    /// <summary>The bytes of one tensor object made by an operation inside a scope (its buffer is pooled).</summary>
    public static long TensorObjectBytes()
    {
        var a = Tensor.Zeros(4);
        using var noGrad = GradMode.NoGrad();
        return PerCall(() =>
        {
            using (TensorScope.Begin()) _ = a.Exp();
        }, calls: 100);
    }

    /// <summary>Fails unless a step allocates at most <paramref name="tensors"/> tensor objects' worth of bytes.</summary>
    public static void AtMostTensorObjects(long perStep, int tensors, string what)
    {
        long budget = tensors * TensorObjectBytes();
        Assert.True(perStep <= budget, $"{what} allocated {perStep} bytes, more than {tensors} tensor objects ({budget} bytes)");
    }
}
