using System.Collections;
using System.Globalization;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A chain of modules applied in order: y = fₙ(…f₂(f₁(x))). Children are named "0", "1", … so
/// parameters read <c>0.weight</c>, <c>0.bias</c> as in PyTorch's <c>nn.Sequential</c>.
/// </summary>
/// <example><code>
/// var model = new Sequential(new Dense(784, 256, rng), new ReLU(), new Dense(256, 10, rng));
/// var keras = new Sequential().Add(new Dense(256, "relu")).Add(new Dense(10)).Build(new Shape(1, 784), rng);
/// var init  = new Sequential { new Flatten(), new Dense(10) };   // collection initializer
/// </code></example>
public sealed class Sequential : Module, ILazyModule, IEnumerable<Module>
{
    private readonly List<Module> _layers = [];

    /// <summary>A chain of the given modules, in order.</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends <paramref name="layer"/> (named by its position) and returns this, for chaining.</summary>
    public Sequential Add(Module layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (ReferenceEquals(layer, this)) throw new ArgumentException("a Sequential cannot contain itself", nameof(layer));
        RegisterModule(_layers.Count.ToString(CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/> (0-based, as its state-dict prefix).</summary>
    public Module this[int index] => _layers[index];

    /// <summary>
    /// A new <see cref="Sequential"/> of the layers in <paramref name="range"/> — the same module
    /// objects, not copies, as PyTorch's <c>model[a:b]</c>: <c>model[..^k]</c> drops the last k layers
    /// (transfer learning: keep the trained base, add a new head). The layers are named by their new
    /// positions, so a prefix keeps its state-dict names (<c>0.weight</c>, …).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range reaches outside the layers.</exception>
    public Sequential this[Range range]
    {
        get
        {
            var (start, length) = range.GetOffsetAndLength(_layers.Count);
            return new Sequential([.. _layers.GetRange(start, length)]);
        }
    }

    /// <summary>True when every lazy layer has its parameters.</summary>
    public bool IsBuilt
    {
        get
        {
            foreach (var layer in _layers)
                if (layer is ILazyModule { IsBuilt: false }) return false;
            return true;
        }
    }

    /// <summary>
    /// Builds every lazy layer for inputs of <paramref name="inputShape"/> (full batch shape, e.g.
    /// <c>new Shape(1, 784)</c>): each layer is built with the output shape of the layers before
    /// it, found by a forward pass of zeros in evaluation mode without gradients (no state such
    /// as running statistics changes). Returns this.
    /// </summary>
    /// <exception cref="ShapeMismatchException">A layer does not accept the shape it receives.</exception>
    public Sequential Build(Shape inputShape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var shape = inputShape;
        foreach (var layer in _layers)
        {
            if (layer is ILazyModule lazy) lazy.Build(shape, rng);
            shape = ShapeProbe.OutputShape(layer, shape);
        }
        return this;
    }

    void ILazyModule.Build(Shape inputShape, Rng rng) => Build(inputShape, rng);

    /// <summary>
    /// Applies the layers in order. A padding mask (<see cref="Tensor.Mask"/>) on a layer's input
    /// is carried to its output when the layer <see cref="Module.SupportsMasking"/>.
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var x = input;
        foreach (var layer in _layers)
        {
            var y = layer.Forward(x);
            if (x.Mask is { } mask && y.Mask is null && layer.SupportsMasking) y.Mask = mask;
            x = y;
        }
        return x;
    }

    /// <summary>True when every layer supports masking, so the whole chain carries a mask through.</summary>
    public override bool SupportsMasking
    {
        get
        {
            foreach (var layer in _layers)
                if (!layer.SupportsMasking) return false;
            return true;
        }
    }

    /// <summary><c>Sequential(3 layers)</c>.</summary>
    public override string Describe() => $"Sequential({Count} layer{(Count == 1 ? "" : "s")})";

    /// <summary>The layers in order.</summary>
    public IEnumerator<Module> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
