using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Optim;

/// <summary>
/// An optimizer: parameter groups, each with its own learning rate η and weight decay λ, and one
/// chain of rules applied by one loop to every parameter of every group. A step runs
/// <code>
/// BeforeStep hooks                        (after backward: clipping, diagnostics)
/// t ← t + 1
/// for each group G:
///     each GroupRule of the chain on G     (e.g. ClipGlobalNorm)
///     for each parameter p of G with a gradient g:
///         d ← g
///         each UpdateRule: (state, d, p) → (state, d)
///         p ← p − η_G·d                   (unless the last rule applied the step itself)
/// </code>
/// <see cref="SGD"/>, <see cref="Adagrad"/>, <see cref="RMSprop"/>, <see cref="Adam"/> and
/// <see cref="AdamW"/> are such chains with PyTorch's defaults; any other is built directly.
/// Parameters whose gradient is null, or that do not require grad (frozen), are skipped.
/// </summary>
/// <example><code>
/// // Adam with per-parameter clipping and L2 decay added to the gradient, as one chain:
/// var opt = new Optimizer(model.Parameters(), lr: 1e-3f, weightDecay: 1e-4f,
///     new ClipNorm(1f), new WeightDecay(), new AdamRule());
/// </code></example>
public partial class Optimizer
{
    private readonly ParameterGroup[] _groups;
    private readonly Tensor[] _parameters;
    private readonly int[] _groupStart;
    private readonly Rule[] _chain;
    private readonly GroupRule[] _groupRules;
    private readonly UpdateRule[] _rules;
    private readonly int[] _stateBase;
    private readonly bool _splittable, _descent;
    private readonly ParameterStates _state;
    private StepWorkspace[] _workspaces = [];
    private readonly SparseGradient?[] _rowGrads;
    private ParallelUpdate? _parallel;

    /// <summary>Creates an optimizer over one group of parameters.</summary>
    /// <param name="parameters">Parameters to update.</param>
    /// <param name="lr">Learning rate η ≥ 0.</param>
    /// <param name="weightDecay">Weight decay λ ≥ 0, read by a <see cref="Rules.WeightDecay"/> or <see cref="Rules.DecoupledWeightDecay"/> rule.</param>
    /// <param name="rules">The chain, in the order it runs; empty is plain gradient descent p ← p − η·g.</param>
    /// <exception cref="ArgumentOutOfRangeException">η or λ is negative or not finite.</exception>
    /// <exception cref="ArgumentException">The chain is out of order, names a state twice, or ignores a non-zero λ.</exception>
    public Optimizer(IEnumerable<Tensor> parameters, double lr, double weightDecay, params Rule[] rules)
        : this([new ParameterGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, weightDecay, rules) { }

    /// <summary>Creates an optimizer over parameter groups; a group's unset η or λ takes <paramref name="lr"/> or <paramref name="weightDecay"/>.</summary>
    /// <param name="groups">The groups; every parameter may appear once.</param>
    /// <param name="lr">Default learning rate η ≥ 0.</param>
    /// <param name="weightDecay">Default weight decay λ ≥ 0.</param>
    /// <param name="rules">The chain, in the order it runs.</param>
    /// <exception cref="ArgumentOutOfRangeException">η or λ is negative or not finite.</exception>
    /// <exception cref="ArgumentException">No group, a parameter in two places, a group already used, or a chain out of order.</exception>
    public Optimizer(IEnumerable<ParameterGroup> groups, double lr, double weightDecay, params Rule[] rules)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(rules);
        Hyperparameters.NonNegative(lr, "learning rate");
        WeightDecay = Hyperparameters.NonNegative(weightDecay, nameof(weightDecay));
        _groups = [.. groups];
        if (_groups.Length == 0) throw new ArgumentException("an optimizer needs at least one parameter group", nameof(groups));
        _chain = [.. rules];
        (_groupRules, _rules) = SplitChain(_chain);
        _splittable = Array.TrueForAll(_rules, r => r.IsElementwise);
        _descent = _rules.Length == 0 || !_rules[^1].AppliesStep;
        if (!Array.Exists(_rules, r => r.UsesWeightDecay))
            foreach (var g in _groups)
                if ((g?.RequestedWeightDecay ?? weightDecay) is > 0f and var wd)
                    throw new ArgumentException($"weight decay {wd} is given but the chain ({Describe(_chain)}) has no rule that uses it; add WeightDecay or DecoupledWeightDecay", nameof(rules));

        var names = new List<string>();
        var initial = new List<float>();
        _stateBase = new int[_rules.Length];
        for (int r = 0; r < _rules.Length; r++)
        {
            _stateBase[r] = names.Count;
            for (int k = 0; k < _rules[r].StateNames.Count; k++)
            {
                string name = _rules[r].StateNames[k];
                if (names.Contains(name)) throw new ArgumentException($"two rules of the chain ({Describe(_chain)}) keep a state named \"{name}\"", nameof(rules));
                names.Add(name);
                initial.Add(_rules[r].InitialState(k));
            }
        }

        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var all = new List<Tensor>();
        _groupStart = new int[_groups.Length + 1];
        for (int g = 0; g < _groups.Length; g++)
        {
            ArgumentNullException.ThrowIfNull(_groups[g], nameof(groups));
            if (_groups[g].Owner is not null) throw new ArgumentException($"parameter group {g} already belongs to an optimizer", nameof(groups));
            _groupStart[g] = all.Count;
            foreach (var p in _groups[g].Parameters)
            {
                ArgumentNullException.ThrowIfNull(p, nameof(groups));
                if (!seen.Add(p)) throw new ArgumentException($"a parameter of shape {p.Shape} appears twice (parameter group {g})", nameof(groups));
                all.Add(p);
            }
        }
        _groupStart[^1] = all.Count;
        foreach (var g in _groups) g.Adopt(this, (float)lr, (float)weightDecay);
        _parameters = [.. all];
        _rowGrads = new SparseGradient?[_parameters.Length];
        _state = new ParameterStates(_parameters, [.. names], [.. initial]);
    }

    /// <summary>The parameter groups (PyTorch's <c>param_groups</c>), each with its η and λ.</summary>
    public IReadOnlyList<ParameterGroup> ParamGroups => _groups;

    /// <summary>Every parameter updated by <see cref="Step"/>, group by group; its index here numbers its state.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The chain of rules, in the order they run.</summary>
    public IReadOnlyList<Rule> Chain => _chain;

    /// <summary>The default weight decay λ given to the constructor (a group may have its own).</summary>
    public float WeightDecay { get; }

    /// <summary>
    /// The first group's learning rate (the only one's, usually); setting it sets every group's
    /// rate. Schedules set each group's rate from its own starting rate.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative or non-finite value.</exception>
    public double LearningRate
    {
        get => _groups[0].LearningRate;
        set
        {
            Hyperparameters.NonNegative(value, "learning rate");
            foreach (var g in _groups) g.LearningRate = value;
        }
    }

    /// <summary>Number of <see cref="Step"/> calls so far: t of the last step.</summary>
    public int StepCount { get; private set; }

    /// <summary>
    /// Runs at the start of every <see cref="Step"/>, after backward and before any update (PyTorch's
    /// <c>register_step_pre_hook</c>): clip, inspect or log gradients here, e.g.
    /// <c>opt.BeforeStep += o => GradientClipping.ClipByNorm(o.Parameters, 1f)</c>. <c>Fit</c> also
    /// calls its callbacks' <c>OnBeforeStep</c> from this point. Handlers run in subscription order.
    /// </summary>
    public event Action<Optimizer>? BeforeStep;

    /// <summary>Updates every parameter that has a gradient, in place (see the class summary for the order of phases).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Step()
    {
        BeforeStep?.Invoke(this);
        StepCount++;
        for (int g = 0; g < _groups.Length; g++)
            for (int r = 0; r < _groupRules.Length; r++) _groupRules[r].Apply(_groups[g]);

        long total = 0;
        int largest = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            bool rowwise = LeavesUnlistedRows((float)_groups[g].WeightDecay);
            for (int i = _groupStart[g]; i < _groupStart[g + 1]; i++)
            {
                // Reading Grad here, on the calling thread, settles a pending ZeroGrad before the pieces run.
                _rowGrads[i] = null;
                // Frozen parameters (Module.Freeze) are skipped even if they still hold a gradient.
                if (!_parameters[i].RequiresGrad || _parameters[i].Grad is null) continue;
                largest = Math.Max(largest, _parameters[i].Numel);
                _state.Ensure(i, StepCount);
                // Decided here, before any piece writes a gradient span (which would end the row record).
                if (rowwise && _parameters[i].TryGetGradRows(out _)) _rowGrads[i] = _parameters[i].SparseGrad;
                else total += _parameters[i].Numel;
            }
        }

        // An elementwise chain gives the same bits however a parameter is cut, so large updates
        // are split into contiguous ranges, one per thread. Below 64k elements the hand-off costs
        // more than it saves.
        int pieces = _splittable && total >= 1 << 16 && !WorkerPool.InsideWork ? WorkerPool.MaxThreads : 1;
        PrepareWorkspaces(pieces, largest);
        if (pieces > 1)
        {
            _parallel ??= new ParallelUpdate(this);
            _parallel.Pieces = pieces;
            WorkerPool.Run(_parallel, pieces);
        }
        else
        {
            UpdateRange(0, 1);
        }
    }

    /// <summary>
    /// Sets every parameter's gradient to zero, keeping the buffers. The memory is not touched
    /// now: the next backward pass overwrites the gradient instead of adding to it, and reading
    /// <see cref="Tensor.Grad"/> before that returns zeros.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.MarkGradZero();
    }

    // The one parameter loop: range `piece` of `pieces` (16-element aligned) of every parameter of every group.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UpdateRange(int piece, int pieces)
    {
        var workspace = _workspaces[piece];
        for (int g = 0; g < _groups.Length; g++)
        {
            var group = _groups[g];
            float lr = (float)group.LearningRate, wd = (float)group.WeightDecay;
            for (int i = _groupStart[g]; i < _groupStart[g + 1]; i++)
            {
                var param = _parameters[i];
                var grad = param.Grad;
                if (grad is null || !param.RequiresGrad) continue;
                if (_rowGrads[i] is { } rows)
                {
                    if (piece == 0) UpdateRows(i, param, grad, rows.Rows, workspace, lr, wd);
                    continue;
                }
                int n = param.Numel;
                int start = Bound(n, piece, pieces), length = Bound(n, piece + 1, pieces) - start;
                if (length == 0) continue;
                var p = param.AsSpan().Slice(start, length);
                var step = new ParameterStep(p, grad.AsSpan().Slice(start, length), workspace, _state.Row(i), _state.Born(i), start, lr, wd, StepCount);
                for (int r = 0; r < _rules.Length; r++)
                {
                    step.StateBase = _stateBase[r];
                    _rules[r].Apply(ref step);
                }
                if (_descent) Primitives.MultiplyAdd(step.Direction, -step.LearningRate, p, p);
            }
        }
    }

    private static int Bound(int n, int piece, int pieces) =>
        piece >= pieces ? n : (int)Math.Min(n, ((long)n * piece / pieces + 15) & ~15L);

    private void PrepareWorkspaces(int pieces, int largest)
    {
        if (_workspaces.Length < pieces)
        {
            var grown = new StepWorkspace[pieces];
            _workspaces.CopyTo(grown, 0);
            for (int i = _workspaces.Length; i < pieces; i++) grown[i] = new StepWorkspace();
            _workspaces = grown;
        }
        for (int i = 0; i < pieces; i++) _workspaces[i].Capacity = largest;
    }

    private static (GroupRule[] Group, UpdateRule[] Update) SplitChain(Rule[] chain)
    {
        var group = new List<GroupRule>();
        var update = new List<UpdateRule>();
        for (int i = 0; i < chain.Length; i++)
        {
            switch (chain[i])
            {
                case null:
                    throw new ArgumentNullException(nameof(chain), $"rule {i} of the chain is null");
                case GroupRule g when update.Count > 0:
                    throw new ArgumentException($"{g} runs over the whole group before the per-parameter rules; put it first in the chain ({Describe(chain)})", "rules");
                case GroupRule g:
                    group.Add(g);
                    break;
                case UpdateRule u when i < chain.Length - 1 && u.AppliesStep:
                    throw new ArgumentException($"{u} applies the step itself and must be the last rule of the chain ({Describe(chain)})", "rules");
                case UpdateRule u:
                    update.Add(u);
                    break;
            }
        }
        return ([.. group], [.. update]);
    }

    private static string Describe(Rule[] chain) => chain.Length == 0 ? "empty" : string.Join(" → ", chain.Select(r => r?.ToString() ?? "null"));

    private sealed class ParallelUpdate(Optimizer owner) : IParallelWork
    {
        public int Pieces;

        public void Execute(int index) => owner.UpdateRange(index, Pieces);
    }
}
