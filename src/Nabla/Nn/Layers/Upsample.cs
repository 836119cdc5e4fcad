using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Resizes NCHW images, as PyTorch's <c>nn.Upsample</c>: to a fixed <c>size</c> or by a
/// <c>scale_factor</c> (output ⌊in·scale⌋ per axis), with mode <c>nearest</c> or <c>bilinear</c>
/// (<c>align_corners</c> as PyTorch: false by default; true maps the corner pixels onto each
/// other). No parameters; "upsample + convolution" is the usual alternative to a transposed
/// convolution in a generator, free of its checkerboard artefacts.
/// </summary>
/// <example><code>
/// var up = new Upsample(scaleFactor: 2);                               // [N, C, 7, 7] → [N, C, 14, 14], nearest
/// var smooth = new Upsample(size: (28, 28), mode: "bilinear", alignCorners: true);
/// </code></example>
public sealed class Upsample : Module
{
    /// <summary>The modes understood: <c>nearest</c> and <c>bilinear</c>.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["nearest", "bilinear"];

    /// <summary>Creates the layer from a target size or a scale factor (exactly one).</summary>
    /// <param name="size">Output (height, width).</param>
    /// <param name="scaleFactor">Multiplier of height and width (one for both axes).</param>
    /// <param name="mode"><c>nearest</c> (default) or <c>bilinear</c>.</param>
    /// <param name="alignCorners">Bilinear only: align the centres of the corner pixels (PyTorch's align_corners=True).</param>
    public Upsample((int H, int W)? size = null, double? scaleFactor = null, string mode = "nearest", bool? alignCorners = null)
        : this(size, scaleFactor is double s ? (s, s) : null, mode, alignCorners)
    {
    }

    /// <summary>Creates the layer with a different scale factor per axis.</summary>
    /// <param name="size">Output (height, width).</param>
    /// <param name="scaleFactor">Multipliers of (height, width).</param>
    /// <param name="mode"><c>nearest</c> or <c>bilinear</c>.</param>
    /// <param name="alignCorners">Bilinear only: align the corner pixels.</param>
    public Upsample((int H, int W)? size, (double H, double W)? scaleFactor, string mode = "nearest", bool? alignCorners = null)
    {
        ArgumentNullException.ThrowIfNull(mode);
        if (size is null == scaleFactor is null) throw new ArgumentException("give either size or scaleFactor, not both or neither");
        if (size is { } sz && (sz.H < 1 || sz.W < 1)) throw new ArgumentException($"size must be positive, got {sz}", nameof(size));
        if (scaleFactor is { } sf && !(sf.H > 0 && sf.W > 0 && double.IsFinite(sf.H) && double.IsFinite(sf.W)))
            throw new ArgumentException($"scale factor must be a positive number, got {sf}", nameof(scaleFactor));
        Mode = mode.Trim().ToLowerInvariant();
        if (!Modes.Contains(Mode)) throw new ArgumentException($"unknown upsampling mode '{mode}' (known: {string.Join(", ", Modes)})", nameof(mode));
        if (alignCorners is not null && Mode == "nearest")
            throw new ArgumentException("alignCorners applies to bilinear upsampling, not nearest", nameof(alignCorners));
        Size = size;
        ScaleFactor = scaleFactor;
        AlignCorners = alignCorners ?? false;
    }

    /// <summary>The fixed output (height, width), or null when a scale factor is used.</summary>
    public (int H, int W)? Size { get; }

    /// <summary>The (vertical, horizontal) scale factor, or null when a size is used.</summary>
    public (double H, double W)? ScaleFactor { get; }

    /// <summary><c>nearest</c> or <c>bilinear</c>.</summary>
    public string Mode { get; }

    /// <summary>Bilinear: whether the corner pixels' centres are aligned.</summary>
    public bool AlignCorners { get; }

    /// <summary>Resizes x [N, C, H, W] to [N, C, OH, OW].</summary>
    /// <exception cref="ShapeMismatchException">x is not 4-D, or the scale factor leaves an empty image.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ShapeMismatchException($"{Describe()} expects input [N, C, H, W], got {input.Shape}");
        int oh, ow;
        double sh = 0, sw = 0;
        if (Size is { } s) (oh, ow) = s;
        else
        {
            (sh, sw) = ScaleFactor!.Value;
            oh = (int)Math.Floor(input.Shape[2] * sh);
            ow = (int)Math.Floor(input.Shape[3] * sw);
        }
        return Mode == "nearest" ? input.UpsampleNearest2d(oh, ow, sh, sw) : input.UpsampleBilinear2d(oh, ow, AlignCorners, sh, sw);
    }

    /// <summary><c>Upsample(×2, nearest)</c> or <c>Upsample(28x28, bilinear, align corners)</c>.</summary>
    public override string Describe()
    {
        string what = Size is { } s ? $"{s.H}x{s.W}" : ScaleFactor!.Value.H == ScaleFactor.Value.W
            ? $"×{ScaleFactor.Value.H.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : $"×({ScaleFactor.Value.H.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {ScaleFactor.Value.W.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
        return $"Upsample({what}, {Mode}{(AlignCorners ? ", align corners" : "")})";
    }
}
