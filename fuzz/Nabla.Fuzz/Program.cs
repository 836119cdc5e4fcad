using SharpFuzz;

namespace Nabla.Fuzz;

/// <summary>
/// <c>Nabla.Fuzz TARGET</c> runs one target under afl-fuzz (SharpFuzz's out-of-process loop);
/// <c>Nabla.Fuzz TARGET --replay PATH…</c> runs it once on each file (or each file of each folder)
/// and prints any unexpected exception, which is how crashes found by afl-fuzz are reproduced.
/// </summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
    {
        if (args.Length < 1 || !FuzzTargets.Names.Contains(args[0]))
        {
            Console.Error.WriteLine($"usage: Nabla.Fuzz TARGET [--replay PATH…]   (targets: {string.Join(", ", FuzzTargets.Names)})");
            return 2;
        }
        string target = args[0];
        if (args.Length > 1 && args[1] == "--replay")
        {
            int failures = 0;
            foreach (var file in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order(StringComparer.Ordinal))
            {
                try
                {
                    FuzzTargets.Run(target, File.ReadAllBytes(file));
                }
                catch (Exception e)
                {
                    failures++;
                    Console.WriteLine($"{file}: {e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
                }
            }
            return failures == 0 ? 0 : 1;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            FuzzTargets.Run(target, copy.ToArray());
        });
        return 0;
    }
}
