namespace Nabla.Kernels;

/// <summary>How a 2-D convolution computes its products (forward, input gradient and weight gradient).</summary>
/// <remarks>
/// Winograd F(2×2, 3×3) needs 16 multiplications per 2×2 output tile and channel pair where the
/// direct product needs 36, F(4×4, 3×3) (<see cref="WinogradF4Conv"/>, for outputs ≥ 16×16) 36 per 4×4 tile where
/// the direct product needs 144, and F(2×2, 5×5) (<see cref="Winograd5Conv"/>) 36 per 2×2 tile where the direct product
/// needs 100, at the price of rounding that differs from the direct sum (≈ 1e-6 relative in float32 for F(2×2, 3×3),
/// ≈ 1e-5 for F(4×4, 3×3) and F(2×2, 5×5); the tests hold all three to 1e-4 of the direct result). Choose
/// <see cref="Direct"/> where results must be bitwise those of the direct convolution.
/// </remarks>
public enum ConvAlgorithm
{
    /// <summary>
    /// Winograd where it was measured faster — <see cref="WinogradConv.Pays"/> for 3×3 layers and
    /// <see cref="Winograd5Conv.Pays"/> for 5×5 ones, for the forward and both gradients — direct elsewhere.
    /// </summary>
    Auto = 0,

    /// <summary>Always im2col + GEMM: bitwise the direct convolution's results.</summary>
    Direct = 1,

    /// <summary>
    /// Winograd wherever <see cref="WinogradConv.Applies"/> (3×3; the tile size by <see cref="WinogradF4Conv.Pays"/>) or
    /// <see cref="Winograd5Conv.Applies"/> (5×5), whatever the sizes; direct elsewhere.
    /// </summary>
    Winograd = 2,
}
