using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Nabla.Tensors;

namespace Nabla.Tests.Architecture;

/// <summary>
/// Every method with a loop in the kernels layer must be compiled fully optimized on its first
/// call (<see cref="MethodImplOptions.AggressiveOptimization"/>). Without it the JIT starts the
/// method as unoptimized tier-0 code and promotes it only after a call-counting delay; measured,
/// that made the first Fashion-MNIST epoch 0.95 s instead of 0.74 s (docs/benchmarks.md).
/// A loop is found as a backward branch in the method's IL.
/// </summary>
public class OptimizedLoopsTests
{
    // Thread bookkeeping, not arithmetic: runs only when the pool grows.
    private static readonly HashSet<string> Exempt = ["WorkerPool.EnsureWorkers"];

    // Hot loops outside Kernels that run every training step.
    private static readonly HashSet<string> AlsoRequired = ["AdamUpdate.Apply", "Optimizer.UpdateRange", "Optimizer.Step", "ImageDataset.Gather", "StridedCopy.Gather", "Broadcasting.BinaryInto"];

    [Fact]
    public void Every_kernel_loop_skips_tier_zero()
    {
        var missing = new List<string>();
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        int checkedCount = 0;
        foreach (var type in typeof(Tensor).Assembly.GetTypes())
        {
            if (type.Name.StartsWith('<')) continue;
            foreach (var method in type.GetMethods(all))
            {
                string name = $"{type.Name.Split('`')[0]}.{method.Name}";
                bool required = type.Namespace == "Nabla.Kernels" ? !Exempt.Contains(name) : AlsoRequired.Contains(name);
                if (!required || !HasLoop(method)) continue;
                checkedCount++;
                if ((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0) missing.Add(name);
            }
        }

        Assert.True(checkedCount > 40, $"only {checkedCount} looping kernel methods found; the IL scan is broken");
        Assert.True(missing.Count == 0, "loops without [MethodImpl(MethodImplOptions.AggressiveOptimization)]: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_loop_finder_sees_loops_and_only_loops()
    {
        Assert.True(HasLoop(typeof(OptimizedLoopsTests).GetMethod(nameof(Looping), BindingFlags.NonPublic | BindingFlags.Static)!));
        Assert.False(HasLoop(typeof(OptimizedLoopsTests).GetMethod(nameof(Straight), BindingFlags.NonPublic | BindingFlags.Static)!));
    }

    private static int Looping(int n)
    {
        int s = 0;
        for (int i = 0; i < n; i++) s += i;
        return s;
    }

    private static int Straight(int n) => n > 3 ? n * 2 : n - 1;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(op => op.Value);

    /// <summary>True when the IL holds a branch to an earlier instruction.</summary>
    private static bool HasLoop(MethodInfo method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return false;
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            switch (op.OperandType)
            {
                case OperandType.ShortInlineBrTarget:
                    if ((sbyte)il[i] < 0) return true;
                    i += 1;
                    break;
                case OperandType.InlineBrTarget:
                    if (BitConverter.ToInt32(il, i) < 0) return true;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }

        return false;
    }
}
