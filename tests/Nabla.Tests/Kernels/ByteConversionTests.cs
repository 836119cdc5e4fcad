using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

public class ByteConversionTests
{
    [Fact]
    public void Bytes_scale_to_the_same_floats_as_a_scalar_loop_for_every_length_to_200()
    {
        var bytes = new byte[200];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 37 + 11);
        for (int n = 0; n <= 200; n++)
        {
            var d = new float[n + 1];
            d[n] = -7f;
            ByteConversion.ToSingle(bytes.AsSpan(0, n), 1f / 255, d);
            for (int i = 0; i < n; i++) Assert.Equal(bytes[i] * (1f / 255), d[i]);
            Assert.Equal(-7f, d[n]);
        }
    }
}
