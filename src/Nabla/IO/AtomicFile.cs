using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Nabla.IO;

/// <summary>
/// Writes files so that a reader (or a crash, or <c>kill -9</c>) sees either the old file or the
/// complete new one, never a mixture: the bytes go to a temporary file beside the target
/// (<c>.NAME.PID.ID.tmp</c>, same folder so the rename cannot cross file systems), which is
/// flushed to disk and then renamed over the target. A process killed mid-write leaves its
/// temporary file behind; the next write to the same target removes such leftovers first.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="write"/>'s bytes to <paramref name="path"/> atomically.</summary>
    /// <param name="path">The target file (created or replaced).</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <exception cref="IOException">The folder does not exist or the disk is full; the target is unchanged.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable; the target is unchanged.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        RemoveLeftovers(full);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".",
            string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
        try
        {
            // FileShare.None also takes an advisory lock, which tells RemoveLeftovers this file is in use.
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Deletes the temporary files that interrupted writes to <paramref name="path"/> left behind:
    /// those of processes that no longer run and that no one holds open. Returns how many it removed.
    /// </summary>
    public static int RemoveLeftovers(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string name = Path.GetFileName(full);
        return RemoveLeftovers(Path.GetDirectoryName(full) ?? ".", target => target == name);
    }

    /// <summary>As <see cref="RemoveLeftovers(string)"/> for every target in <paramref name="dir"/> whose name <paramref name="isTarget"/> accepts.</summary>
    internal static int RemoveLeftovers(string dir, Func<string, bool> isTarget)
    {
        if (!Directory.Exists(dir)) return 0;
        int removed = 0;
        foreach (var candidate in Directory.EnumerateFiles(dir, ".*.tmp"))
        {
            var m = TempName().Match(Path.GetFileName(candidate));
            if (!m.Success || !isTarget(m.Groups[1].Value)
                || !int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid != Environment.ProcessId && IsRunning(pid)) continue; // another process may be writing it now
            if (IsOpen(candidate)) continue;
            try
            {
                File.Delete(candidate);
                removed++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // A writer holds its temporary file with an exclusive (advisory) lock until it renames it.
    private static bool IsOpen(string file)
    {
        try
        {
            using var probe = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return true; // renamed or removed meanwhile: nothing to do
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
    }

    [GeneratedRegex(@"^\.(.+)\.(\d+)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TempName();
}
