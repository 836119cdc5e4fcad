using System.IO.Compression;
using System.Text;
using Nabla.Data;

namespace Nabla.Tests.Data;

/// <summary><see cref="DataFile"/>'s gzip check: a stream cut anywhere is an error, whole and concatenated streams read in full.</summary>
public sealed class GzipTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-gz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Gzip(string text)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(Encoding.UTF8.GetBytes(text));
        return ms.ToArray();
    }

    private string ReadAll(byte[] bytes)
    {
        string path = Path.Combine(_dir, "d.csv.gz");
        File.WriteAllBytes(path, bytes);
        using var s = DataFile.OpenRead(path);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Of("123456789"u8));

    [Fact]
    public void Every_cut_of_a_gzip_stream_is_an_error_and_the_whole_one_reads()
    {
        string text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i},{i * 7 % 11}\n"));
        var full = Gzip(text);
        Assert.Equal(text, ReadAll(full));
        for (int cut = 1; cut < full.Length; cut += Math.Max(1, full.Length / 97))
        {
            var e = Assert.ThrowsAny<DataFormatException>(() => ReadAll(full[..cut]));
            Assert.StartsWith(Path.Combine(_dir, "d.csv.gz") + ": ", e.Message);
        }
        Assert.Contains("the gzip data is truncated", Assert.Throws<DataFormatException>(() => ReadAll(full[..^1])).Message);
    }

    [Fact]
    public void Concatenated_members_read_in_full_and_trailing_bytes_are_an_error()
    {
        var two = Gzip("a,b\n").Concat(Gzip("1,2\n")).ToArray();
        Assert.Equal("a,b\n1,2\n", ReadAll(two));
        Assert.Throws<DataFormatException>(() => ReadAll([.. Gzip("a,b\n"), 0, 0, 0, 0]));
    }

    [Fact]
    public void Empty_and_non_gzip_files_named_gz_are_errors()
    {
        Assert.Contains("not a valid gzip file: it is empty", Assert.Throws<DataFormatException>(() => ReadAll([])).Message);
        Assert.Contains("does not start with the gzip signature", Assert.Throws<DataFormatException>(() => ReadAll("plain text"u8.ToArray())).Message);
    }
}
