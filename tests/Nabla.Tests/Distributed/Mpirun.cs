using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Nabla.Tests.Distributed;

/// <summary>
/// Starts the nabla tool under Open MPI's mpirun (<c>-q --allow-run-as-root --oversubscribe</c>, so a
/// test machine with 2 cores and a root user runs 2 or 3 processes) and watches the job: its output
/// lines as they come, the process of each rank. A machine without mpirun fails the test with the
/// line to install it (<c>bash .ci/run</c> installs it).
/// </summary>
internal sealed class Mpirun : IDisposable
{
    /// <summary>How long a job may run before the test calls it a hang and kills it.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromMinutes(5);

    private readonly Process _process;
    private readonly List<string> _out = [];
    private readonly StringBuilder _err = new();
    private readonly object _lock = new();

    private Mpirun(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lock) _out.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lock) _err.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Rank 0's standard output (the other ranks print nothing) and mpirun's own.</summary>
    public string Out
    {
        get { lock (_lock) return string.Join("\n", _out); }
    }

    /// <summary>Every process's standard error.</summary>
    public string Err
    {
        get { lock (_lock) return _err.ToString(); }
    }

    /// <summary>Runs <c>nabla ARGS</c> as <paramref name="processes"/> ranks.</summary>
    public static Mpirun Start(int processes, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        StartMpmd([(processes, args)], environment);

    /// <summary>Runs several commands as one job (mpirun's <c>-np 1 A : -np 1 B</c> form), ranks numbered in order.</summary>
    public static Mpirun StartMpmd(IReadOnlyList<(int Processes, IEnumerable<string> Args)> commands, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(Executable()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-q", "--allow-run-as-root", "--oversubscribe" }) info.ArgumentList.Add(a);
        for (int c = 0; c < commands.Count; c++)
        {
            if (c > 0) info.ArgumentList.Add(":");
            info.ArgumentList.Add("-np");
            info.ArgumentList.Add(commands[c].Processes.ToString(CultureInfo.InvariantCulture));
            info.ArgumentList.Add(DotnetHost());
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Nabla.Cli.dll"));
            foreach (var a in commands[c].Args) info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        return new Mpirun(Process.Start(info) ?? throw new InvalidOperationException("mpirun did not start"));
    }

    /// <summary>Waits for the job to end (failing the test if it outlives <see cref="Guard"/>) and returns mpirun's exit code.</summary>
    public int WaitForExit()
    {
        if (!_process.WaitForExit(Guard))
        {
            _process.Kill(entireProcessTree: true);
            Assert.Fail($"the mpirun job did not end within {Guard.TotalMinutes} minutes (a hang); stderr: {Err}");
        }
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>Waits until rank 0 has printed a line containing <paramref name="text"/>.</summary>
    public void WaitForOutput(string text)
    {
        var watch = Stopwatch.StartNew();
        while (!Out.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || watch.Elapsed > Guard)
                Assert.Fail($"the job ended or stalled before printing '{text}'; stdout: {Out}; stderr: {Err}");
            Thread.Sleep(50);
        }
    }

    /// <summary>The process id of rank <paramref name="rank"/>: the child of mpirun whose Open MPI environment names that rank.</summary>
    public int RankProcess(int rank)
    {
        string wanted = $"OMPI_COMM_WORLD_RANK={rank}";
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after its closing parenthesis.
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == _process.Id && File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains(wanted))
                    return pid;
            }
            catch (IOException)
            {
                // the process ended while being read
            }
        }
        throw new InvalidOperationException($"no child of mpirun ({_process.Id}) is rank {rank}");
    }

    /// <summary>Sends <paramref name="signal"/> (kill's name: KILL, STOP, CONT) to a process.</summary>
    public static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private static string Executable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "mpirun"))) return Path.Combine(dir, "mpirun");
        Assert.Fail("mpirun was not found on PATH: the distributed tests need Open MPI (apt-get install openmpi-bin; bash .ci/run installs it)");
        return "";
    }

    // The dotnet running these tests (its directory may not be on PATH), else whatever PATH has.
    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
}
