using System.Runtime.CompilerServices;

namespace Nabla.Kernels;

/// <summary>
/// Splits items [0, count) — elements of an elementwise pass, rows of a row-wise kernel — into one
/// contiguous range per thread and runs them on <see cref="WorkerPool"/>.
/// </summary>
/// <remarks>
/// A training step alternates parallel products with short passes (ReLU and its mask, the loss's
/// log-softmax) that ran on the calling thread while the other core waited: on 2 threads they were
/// 5–10 % of the MLP step. Range bounds are multiples of <c>align</c> (16 elements for the vector
/// loops), so every item meets the same instruction sequence — 16-wide body, 8-wide and scalar tail
/// only at the very end — whichever range holds it: the split never changes a bit. A subclass is a
/// cached object (one per kernel kind and calling thread) holding pointers to the operands for the
/// duration of one call, so a call allocates nothing.
/// </remarks>
internal abstract class RangeSplit : IParallelWork
{
    private int _count, _step;

    /// <summary>
    /// False runs every split pass (and a linear layer's side-by-side backward) on the calling thread, as before
    /// they were split: Nabla.Bench's mlp-split-ab flips it to compare both in one process. Bitwise the same results.
    /// </summary>
    internal static bool Enabled = true;

    /// <summary>
    /// Runs <see cref="RunRange"/> over [0, count): split over the pool when more than one thread is
    /// allowed, <paramref name="parallel"/> holds and the caller is not already inside parallel work;
    /// otherwise as one range on the calling thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected void Run(int count, int align, bool parallel)
    {
        int threads = WorkerPool.MaxThreads;
        if (!parallel || !Enabled || threads <= 1 || WorkerPool.InsideWork || count < 2 * align)
        {
            RunRange(0, count);
            return;
        }
        int step = (count + threads - 1) / threads;
        _step = (step + align - 1) / align * align;
        _count = count;
        WorkerPool.Run(this, (count + _step - 1) / _step);
    }

    /// <summary>Processes items [start, end).</summary>
    protected abstract void RunRange(int start, int end);

    /// <inheritdoc/>
    public void Execute(int index)
    {
        int start = index * _step;
        RunRange(start, Math.Min(_count, start + _step));
    }
}
