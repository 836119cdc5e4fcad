using System.Runtime.CompilerServices;

namespace Nabla.Data;

/// <summary>
/// CRC-32 as gzip (RFC 1952) and zlib compute it: the reflected IEEE polynomial 0xEDB88320,
/// register started at 0xFFFFFFFF and inverted at the end. Used to check that a gzip stream's
/// decompressed bytes match its trailer, which is how truncation is detected.
/// </summary>
internal struct Crc32
{
    private static readonly uint[] Table = BuildTable();
    private uint _register;

    /// <summary>A checksum over no bytes yet.</summary>
    public Crc32() => _register = 0xFFFFFFFFu;

    /// <summary>The CRC-32 of the bytes appended so far.</summary>
    public readonly uint Value => ~_register;

    /// <summary>Feeds <paramref name="bytes"/> into the checksum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Append(ReadOnlySpan<byte> bytes)
    {
        uint crc = _register;
        var table = Table;
        foreach (byte b in bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _register = crc;
    }

    /// <summary>The CRC-32 of <paramref name="bytes"/>.</summary>
    public static uint Of(ReadOnlySpan<byte> bytes)
    {
        var crc = new Crc32();
        crc.Append(bytes);
        return crc.Value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
