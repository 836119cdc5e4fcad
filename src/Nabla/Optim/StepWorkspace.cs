using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nabla.Optim;

/// <summary>
/// The two scratch buffers of one piece of an optimizer step, used in turn by
/// <see cref="ParameterStep.NewDirection"/>. Grown once to the largest parameter on first use (by
/// the thread running the piece) and reused every step after.
/// </summary>
internal sealed class StepWorkspace
{
    private float[] _first = [], _second = [];

    /// <summary>The largest parameter of the current step; set by the optimizer before the pieces run.</summary>
    public int Capacity;

    /// <summary>Buffer 1 or 2, its first <paramref name="length"/> elements (empty span when never used and length is 0).</summary>
    public Span<float> Buffer(int which, int length)
    {
        ref float[] buffer = ref which == 1 ? ref _first : ref _second;
        if (buffer.Length < length) buffer = new float[Math.Max(length, Capacity)];
        return buffer.AsSpan(0, length);
    }

    /// <summary>Which buffer <paramref name="span"/> starts at the beginning of: 1, 2, or 0 for neither.</summary>
    public int Holding(ReadOnlySpan<float> span)
    {
        if (span.IsEmpty) return 0;
        ref float start = ref MemoryMarshal.GetReference(span);
        if (_first.Length > 0 && Unsafe.AreSame(ref start, ref MemoryMarshal.GetArrayDataReference(_first))) return 1;
        if (_second.Length > 0 && Unsafe.AreSame(ref start, ref MemoryMarshal.GetArrayDataReference(_second))) return 2;
        return 0;
    }
}
