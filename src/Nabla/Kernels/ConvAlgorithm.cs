namespace Nabla.Kernels;

/// <summary>How a 2-D convolution computes its products (forward, input gradient and weight gradient).</summary>
/// <remarks>
/// Winograd F(2×2, 3×3) needs 16 multiplications per 2×2 output tile and channel pair where the
/// direct product needs 36, F(4×4, 3×3) (<see cref="WinogradF4Conv"/>, for outputs ≥ 16×16) 36 per 4×4 tile where
/// the direct product needs 144, at the price of rounding that differs from the direct sum (≈ 1e-6 relative in
/// float32 for F(2×2), ≈ 1e-5 for F(4×4); the tests hold both to 1e-4 of the direct result). Choose
/// <see cref="Direct"/> where results must be bitwise those of the direct convolution.
/// </remarks>
public enum ConvAlgorithm
{
    /// <summary>
    /// Winograd where it was measured faster — <see cref="WinogradConv.Pays"/> for the forward and the weight gradient,
    /// <see cref="WinogradConv.PaysForInputGradient"/> for the input gradient — direct elsewhere.
    /// </summary>
    Auto = 0,

    /// <summary>Always im2col + GEMM: bitwise the direct convolution's results.</summary>
    Direct = 1,

    /// <summary>Winograd wherever <see cref="WinogradConv.Applies"/> (whatever the sizes; the tile size by <see cref="WinogradF4Conv.Pays"/>), direct elsewhere.</summary>
    Winograd = 2,
}
