using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Optim;

// Updates of a parameter whose gradient is row-sparse (an Embedding's weight): when every rule of
// the chain may leave unlisted rows alone (UpdateRule.LeavesUnlistedRows), only the rows the
// backward pass wrote run through the chain, so a step costs the rows used, not the table.
public partial class Optimizer
{
    private bool LeavesUnlistedRows(float weightDecay)
    {
        if (!_splittable || _groupRules.Length > 0) return false;
        for (int r = 0; r < _rules.Length; r++)
            if (!_rules[r].LeavesUnlistedRows(weightDecay)) return false;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdateRows(int i, Tensor param, Tensor grad, ReadOnlySpan<int> rows, StepWorkspace workspace, float lr, float wd)
    {
        int width = param.Numel / param.Shape[0];
        var all = param.AsSpan();
        var g = grad.AsReadOnlySpan();
        foreach (int row in rows)
        {
            int start = row * width;
            var p = all.Slice(start, width);
            var step = new ParameterStep(p, g.Slice(start, width), workspace, _state.Row(i), _state.Born(i), start, lr, wd, StepCount);
            for (int r = 0; r < _rules.Length; r++)
            {
                step.StateBase = _stateBase[r];
                _rules[r].Apply(ref step);
            }
            if (_descent) Primitives.MultiplyAdd(step.Direction, -step.LearningRate, p, p);
        }
    }
}
