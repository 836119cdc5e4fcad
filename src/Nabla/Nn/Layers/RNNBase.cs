using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// What <see cref="RNN"/>, <see cref="LSTM"/> and <see cref="GRU"/> share, as PyTorch's
/// <c>nn.RNNBase</c> with <c>batch_first=True</c>: a stack of <see cref="NumLayers"/> recurrent
/// layers, each one or two directions, dropout between layers in training, optional initial
/// states, variable-length rows, and PyTorch's parameter names and initialization.
/// </summary>
/// <remarks>
/// <para>Parameters per layer k and direction, in PyTorch's order: <c>weight_ih_l{k}</c>
/// <c>[G·H, in]</c>, <c>weight_hh_l{k}</c> <c>[G·H, H]</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c>
/// <c>[G·H]</c>, with the suffix <c>_reverse</c> for the reverse direction; G is 1 (RNN), 4 (LSTM:
/// i, f, g, o) or 3 (GRU: r, z, n); in = input size for layer 0, directions·H above. All are
/// initialized U(−1/√H, 1/√H) from the seeded <see cref="Rng"/>. Each layer runs as one
/// <see cref="RecurrentOp"/> (one GEMM for the inputs of all timesteps, then per step one GEMM and
/// one fused gate kernel).</para>
/// <para>Variable lengths: <see cref="Forward(Tensor, RecurrentState?, Tensor?)"/> takes per-row
/// lengths in [1, T] with <c>pack_padded_sequence</c> semantics. Inside a <see cref="Sequential"/>,
/// <see cref="Forward(Tensor)"/> has no lengths argument; with <see cref="MaskPadding"/> it takes
/// each row's length from its trailing timesteps whose features are all exactly zero — the rows an
/// embedding gives padding index 0 — and a row that is all padding has length 0 (zero output, its
/// initial state as final state, as Keras does with a fully masked row).</para>
/// </remarks>
public abstract class RNNBase : Module, ILazyModule
{
    /// <summary>The default <see cref="MaxSequenceLength"/>.</summary>
    public const int DefaultMaxSequenceLength = 10_000;

    private readonly bool _bias;
    private readonly List<RecurrentWeights> _weights = [];
    private Dropout? _dropout;
    private int[] _lengths = [];
    private Tensor[] _layerH = [], _layerC = [];

    /// <summary>Creates the module with its parameters now (PyTorch style) or, with <paramref name="inputSize"/> 0, lazily (built by <see cref="Build"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1, dropout is outside [0, 1), or the length limit is below 1; names the value.</exception>
    private protected RNNBase(RecurrentMode mode, int inputSize, int hiddenSize, Rng? rng, int numLayers, bool bias, bool bidirectional,
        float dropout, RecurrentReturn returns, bool maskPadding, int maxSequenceLength)
    {
        string name = RecurrentOp.Name(mode);
        if (hiddenSize < 1) throw new ArgumentOutOfRangeException(nameof(hiddenSize), hiddenSize, $"{name}: hidden size must be at least 1, got {hiddenSize}");
        if (inputSize < 0) throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"{name}: input size must be at least 1, got {inputSize}");
        if (numLayers < 1) throw new ArgumentOutOfRangeException(nameof(numLayers), numLayers, $"{name}: number of layers must be at least 1, got {numLayers}");
        if (!(dropout >= 0f && dropout < 1f)) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{name}: dropout between layers must be in [0, 1), got {dropout}");
        if (maxSequenceLength < 1) throw new ArgumentOutOfRangeException(nameof(maxSequenceLength), maxSequenceLength, $"{name}: the sequence length limit must be at least 1, got {maxSequenceLength}");
        Mode = mode;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        Bidirectional = bidirectional;
        DropoutProbability = dropout;
        Returns = returns;
        MaskPadding = maskPadding;
        MaxSequenceLength = maxSequenceLength;
        _bias = bias;
        if (inputSize > 0)
        {
            ArgumentNullException.ThrowIfNull(rng);
            CreateParameters(inputSize, rng);
        }
    }

    /// <summary>The cell.</summary>
    public RecurrentMode Mode { get; }

    /// <summary>Features per timestep of the input; 0 until a lazy module is built.</summary>
    public int InputSize { get; private set; }

    /// <summary>H, the size of each direction's hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Number of stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>True when every layer also runs the sequence backwards (outputs are then 2·H wide).</summary>
    public bool Bidirectional { get; }

    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Dropout probability applied to each layer's output except the last, in training mode.</summary>
    public float DropoutProbability { get; }

    /// <summary>What <see cref="Forward(Tensor)"/> returns.</summary>
    public RecurrentReturn Returns { get; }

    /// <summary>Whether <see cref="Forward(Tensor)"/> treats trailing all-zero timesteps as padding (see the class remarks).</summary>
    public bool MaskPadding { get; }

    /// <summary>Longest sequence accepted; longer inputs throw (a guard against feeding a whole corpus or the wrong axis as time).</summary>
    public int MaxSequenceLength { get; }

    /// <inheritdoc/>
    public bool IsBuilt => InputSize > 0;

    /// <summary>The parameters of layer <paramref name="layer"/>, direction <paramref name="direction"/> (0 forward, 1 reverse).</summary>
    public RecurrentWeights Weights(int layer, int direction = 0)
    {
        if (!IsBuilt) throw NotBuilt();
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, NumLayers);
        ArgumentOutOfRangeException.ThrowIfNegative(direction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(direction, Directions);
        return _weights[layer * Directions + direction];
    }

    /// <inheritdoc/>
    public void Build(Shape inputShape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inputShape.Rank != 3)
            throw new ShapeMismatchException($"{Describe()} needs inputs [N, T, features] (batch first), got {inputShape}");
        if (IsBuilt)
        {
            if (inputShape[2] != InputSize)
                throw new ShapeMismatchException($"{Describe()} was built for {InputSize} input features, got input shape {inputShape}");
            return;
        }
        if (inputShape[2] < 1) throw new ShapeMismatchException($"{Describe()} needs at least one input feature, got input shape {inputShape}");
        CreateParameters(inputShape[2], rng);
    }

    /// <summary>
    /// Runs the stack over <paramref name="input"/> <c>[N, T, InputSize]</c>, PyTorch's
    /// <c>module(input, hx)</c> with <c>batch_first=True</c> (and, with lengths, its
    /// <c>pack_padded_sequence</c> → module → <c>pad_packed_sequence</c> round trip).
    /// </summary>
    /// <param name="input">The sequences, batch first.</param>
    /// <param name="initial">Initial h (and c), each <c>[NumLayers·Directions, N, H]</c>; null for zeros. (Required, so that
    /// <c>Forward(x)</c> stays the <see cref="Sequential"/> form returning one tensor; write <c>Forward(x, null)</c> for this one.)</param>
    /// <param name="lengths">Per-row lengths <c>[N]</c>, whole numbers in [1, T]; null when every row has T steps.</param>
    /// <returns>The top layer's output <c>[N, T, Directions·H]</c> and the final state h_n (and c_n).</returns>
    /// <exception cref="ShapeMismatchException">The input, a state or the lengths have the wrong shape; names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A length is not a whole number in [1, T], or T exceeds <see cref="MaxSequenceLength"/>.</exception>
    public RecurrentOutput Forward(Tensor input, RecurrentState? initial, Tensor? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        if (lengths is null) return Run(input, initial, default);
        if (lengths.Rank != 1 || lengths.Shape[0] != input.Shape[0])
            throw new ShapeMismatchException($"{Describe()}: lengths must be [N] = [{input.Shape[0]}] for input {input.Shape}, got shape {lengths.Shape}");
        var buffer = LengthBuffer(input.Shape[0]);
        var values = lengths.IsContiguous ? lengths.AsReadOnlySpan() : lengths.ToArray();
        for (int i = 0; i < buffer.Length; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v) || !(v >= 1f) || v > input.Shape[1])
                throw new ArgumentOutOfRangeException(nameof(lengths), v, $"{Describe()}: length {v.ToString(CultureInfo.InvariantCulture)} of row {i} must be a whole number in [1, {input.Shape[1]}] (T of input {input.Shape}); pack_padded_sequence rejects empty rows too");
            buffer[i] = (int)v;
        }
        return Run(input, initial, buffer);
    }

    /// <summary>
    /// The output for a <see cref="Sequential"/>: the last step of each row <c>[N, Directions·H]</c>
    /// or every step <c>[N, T, Directions·H]</c>, as <see cref="Returns"/> says. Each row's length is
    /// the last real position of the input's padding mask (<see cref="Tensor.Mask"/>, set by an
    /// embedding with a padding index) when there is one, else its trailing all-zero steps are
    /// padding when <see cref="MaskPadding"/>, else every row has T steps.
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        var lengths = input.Mask is { } mask ? LengthsFromMask(mask, input) : MaskPadding ? LengthsFromPadding(input) : default;
        var result = Run(input, null, lengths);
        if (Returns == RecurrentReturn.Sequence) return result.Output;
        var top = NumLayers == 1 ? result.State.H : result.State.H.Narrow(0, (NumLayers - 1) * Directions, Directions);
        int n = input.Shape[0];
        return Directions == 1 ? top.Reshape(new Shape(n, HiddenSize)) : top.Permute(1, 0, 2).Reshape(new Shape(n, 2 * HiddenSize));
    }

    /// <summary><c>LSTM(64 → 128, layers=2, bidirectional, dropout=0.2, return=last)</c>.</summary>
    public override string Describe()
    {
        var s = new System.Text.StringBuilder(GetType().Name).Append('(')
            .Append(IsBuilt ? InputSize.ToString(CultureInfo.InvariantCulture) : "?").Append(" → ").Append(HiddenSize.ToString(CultureInfo.InvariantCulture));
        if (Mode == RecurrentMode.RnnRelu) s.Append(", relu");
        if (NumLayers > 1) s.Append(", layers=").Append(NumLayers.ToString(CultureInfo.InvariantCulture));
        if (Bidirectional) s.Append(", bidirectional");
        if (DropoutProbability > 0f) s.Append(", dropout=").Append(DropoutProbability.ToString("G4", CultureInfo.InvariantCulture));
        if (!_bias) s.Append(", bias=false");
        return s.Append(", return=").Append(Returns == RecurrentReturn.Last ? "last" : "sequence").Append(')').ToString();
    }

    private RecurrentOutput Run(Tensor input, RecurrentState? initial, ReadOnlySpan<int> lengths)
    {
        int n = input.Shape[0], dirs = Directions;
        CheckState(initial, n);
        var x = input;
        Tensor? lastH = null, lastC = null;
        for (int k = 0; k < NumLayers; k++)
        {
            if (k > 0 && _dropout is not null)
            {
                _dropout.Train(IsTraining);
                x = _dropout.Forward(x);
            }
            var h0 = initial is null ? null : NumLayers == 1 ? initial.H : initial.H.Narrow(0, k * dirs, dirs);
            var c0 = initial?.C is null ? null : NumLayers == 1 ? initial.C : initial.C.Narrow(0, k * dirs, dirs);
            var layer = x.RecurrentLayer(Mode, _weights[k * dirs], Bidirectional ? _weights[k * dirs + 1] : null, h0, c0, lengths);
            x = layer.Output;
            lastH = layer.HiddenState;
            lastC = layer.CellState;
            if (NumLayers == 1) continue;
            _layerH[k] = layer.HiddenState;
            if (layer.CellState is not null) _layerC[k] = layer.CellState;
        }
        // The per-layer arrays are reused: Concat keeps its inputs in its own node.
        var h = NumLayers == 1 ? lastH! : Tensor.Concat(_layerH);
        var c = NumLayers == 1 || lastC is null ? lastC : Tensor.Concat(_layerC);
        Array.Clear(_layerH);
        Array.Clear(_layerC);
        return new RecurrentOutput(x, new RecurrentState(h, c));
    }

    private void CheckInput(Tensor input)
    {
        if (!IsBuilt) throw NotBuilt();
        if (input.Rank != 3 || input.Shape[2] != InputSize || input.Shape[0] < 1 || input.Shape[1] < 1)
            throw new ShapeMismatchException($"{Describe()} expects input [N, T, {InputSize}] (batch first, N ≥ 1, T ≥ 1), got shape {input.Shape}");
        if (input.Shape[1] > MaxSequenceLength)
            throw new ArgumentOutOfRangeException(nameof(input), input.Shape[1],
                $"{Describe()}: input {input.Shape} has {input.Shape[1]} timesteps, more than the limit of {MaxSequenceLength} (maxSequenceLength); split long streams with TruncatedBptt or raise the limit");
    }

    private void CheckState(RecurrentState? initial, int n)
    {
        if (initial is null) return;
        var expected = new Shape(NumLayers * Directions, n, HiddenSize);
        if (initial.H.Shape != expected)
            throw new ShapeMismatchException($"{Describe()}: initial hidden state must be [layers·directions, N, H] = {expected}, got shape {initial.H.Shape}");
        if (initial.C is not null && Mode != RecurrentMode.Lstm)
            throw new ArgumentException($"{Describe()}: only an LSTM has a cell state; got one of shape {initial.C.Shape}", nameof(initial));
        if (initial.C is not null && initial.C.Shape != expected)
            throw new ShapeMismatchException($"{Describe()}: initial cell state must be [layers·directions, N, H] = {expected}, got shape {initial.C.Shape}");
    }

    /// <summary>Each row's length: one past its last timestep with a non-zero feature (0 for a row of padding only).</summary>
    private int[] LengthsFromPadding(Tensor input)
    {
        int n = input.Shape[0], t = input.Shape[1], f = input.Shape[2];
        var buffer = LengthBuffer(n);
        var values = input.IsContiguous ? input.AsReadOnlySpan() : input.ToArray();
        for (int r = 0; r < n; r++)
        {
            int length = t;
            while (length > 0 && IsPadding(values.Slice((r * t + length - 1) * f, f))) length--;
            buffer[r] = length;
        }
        return buffer;
    }

    /// <summary>Row r's length is one past its last position whose mask is non-zero (0 for an all-padding row).</summary>
    private int[] LengthsFromMask(Tensor mask, Tensor input)
    {
        int n = input.Shape[0], t = input.Shape[1];
        if (mask.Shape != new Shape(n, t))
            throw new ShapeMismatchException($"{Describe()}: padding mask {mask.Shape} does not fit input {input.Shape}: expected [{n}, {t}]");
        var buffer = LengthBuffer(n);
        var values = mask.IsContiguous ? mask.AsReadOnlySpan() : mask.ToArray();
        for (int r = 0; r < n; r++)
        {
            int length = t;
            while (length > 0 && values[r * t + length - 1] == 0f) length--;
            buffer[r] = length;
        }
        return buffer;
    }

    /// <summary>
    /// With <see cref="RecurrentReturn.Sequence"/> output step t belongs to input step t, so a padding
    /// mask passes on (the outputs at padding are zero); the last step of each row has no time axis.
    /// </summary>
    public override bool SupportsMasking => Returns == RecurrentReturn.Sequence;

    private static bool IsPadding(ReadOnlySpan<float> step)
    {
        foreach (float v in step)
            if (v != 0f) return false;
        return true;
    }

    private int[] LengthBuffer(int n)
    {
        if (_lengths.Length != n) _lengths = new int[n];
        return _lengths;
    }

    private void CreateParameters(int inputSize, Rng rng)
    {
        InputSize = inputSize;
        int g = Mode.GateCount(), h = HiddenSize;
        float bound = 1f / MathF.Sqrt(h);
        // Parameters outlive every training step, so they must not come from the caller's scope.
        using (TensorScope.Suspend())
        {
            for (int k = 0; k < NumLayers; k++)
            {
                int layerInput = k == 0 ? inputSize : Directions * h;
                for (int d = 0; d < Directions; d++)
                {
                    string suffix = "_l" + k.ToString(CultureInfo.InvariantCulture) + (d == 1 ? "_reverse" : "");
                    var wih = Parameter("weight_ih" + suffix, new Shape(g * h, layerInput), rng, bound);
                    var whh = Parameter("weight_hh" + suffix, new Shape(g * h, h), rng, bound);
                    var bih = _bias ? Parameter("bias_ih" + suffix, new Shape(g * h), rng, bound) : null;
                    var bhh = _bias ? Parameter("bias_hh" + suffix, new Shape(g * h), rng, bound) : null;
                    _weights.Add(new RecurrentWeights(wih, whh, bih, bhh));
                }
            }
        }
        // Masks come from the module's own generator, forked from the build's, so runs repeat.
        if (DropoutProbability > 0f && NumLayers > 1) _dropout = new Dropout(DropoutProbability, rng.Fork());
        if (NumLayers > 1)
        {
            _layerH = new Tensor[NumLayers];
            if (Mode == RecurrentMode.Lstm) _layerC = new Tensor[NumLayers];
        }
    }

    private Tensor Parameter(string name, Shape shape, Rng rng, float bound)
    {
        var p = Tensor.Owned(shape);
        rng.FillUniform(p.AsSpan(), -bound, bound);
        return RegisterParameter(name, p, name.StartsWith("bias", StringComparison.Ordinal) ? ParameterRole.Bias : ParameterRole.Weight);
    }

    private InvalidOperationException NotBuilt() => new(
        $"{Describe()} is lazy and has not been built yet: call Build(inputShape, rng) on it or on its Sequential before Forward or before giving its parameters to an optimizer");
}
