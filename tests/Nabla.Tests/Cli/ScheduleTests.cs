using Nabla.IO;

namespace Nabla.Tests.Cli;

/// <summary><c>--lr-schedule</c>: the rates each epoch trains with, and <c>--resume</c> continuing the schedule.</summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nabla-schedule-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static double[] Rates(string jsonOutput) =>
        [.. Cli.JsonLines(jsonOutput).Where(l => l.TryGetProperty("epoch", out _) && !l.TryGetProperty("command", out _)).Select(l => l.GetProperty("lr").GetDouble())];

    private static string[] Train(params string[] args) => ["train", "--data", "iris", "--json", .. args];

    [Fact]
    public void Linear_decay_follows_the_lectures_formula_then_stays_at_the_final_rate()
    {
        // η_k = (1 − k/τ)·η₀ + (k/τ)·η_τ for k ≤ τ = 4, then η_τ.
        var rates = Rates(Cli.Ok(Train("--epochs", "6", "--lr", "0.01", "--lr-schedule", "linear", "--lr-final", "0.001", "--lr-decay-epochs", "4")));
        double[] expected = [0.01, 0.00775, 0.0055, 0.00325, 0.001, 0.001];
        Assert.Equal(expected.Length, rates.Length);
        for (int k = 0; k < expected.Length; k++) Assert.Equal(expected[k], rates[k], 6);
    }

    [Fact]
    public void Step_and_cosine_schedules_set_their_rates()
    {
        var step = Rates(Cli.Ok(Train("--epochs", "5", "--lr", "0.01", "--lr-schedule", "step", "--lr-step-size", "2", "--lr-gamma", "0.5")));
        Assert.Equal([0.01, 0.01, 0.005, 0.005, 0.0025], step.Select(r => Math.Round(r, 6)));
        var cosine = Rates(Cli.Ok(Train("--epochs", "4", "--lr", "0.01", "--lr-schedule", "cosine", "--lr-min", "0.001")));
        for (int k = 0; k < 4; k++) Assert.Equal(0.001 + (0.01 - 0.001) * (1 + Math.Cos(Math.PI * k / 4)) / 2, cosine[k], 6);
    }

    [Theory]
    [InlineData("linear", "--lr-final", "0.0001", "--lr-decay-epochs", "5")]
    [InlineData("plateau", "--lr-patience", "0", "--lr-gamma", "0.5")]
    public void A_resumed_run_continues_the_schedule_where_it_stopped(string kind, string k1, string v1, string k2, string v2)
    {
        string model = Path.Combine(_dir, kind + ".safetensors");
        var whole = Rates(Cli.Ok(Train("--epochs", "6", "--lr", "0.02", "--lr-schedule", kind, k1, v1, k2, v2)));
        var first = Rates(Cli.Ok(Train("--epochs", "3", "--lr", "0.02", "--lr-schedule", kind, k1, v1, k2, v2, "--out", model)));
        Assert.Equal(kind, ModelFile.Load(model).Info.Extra["lr_schedule"]);
        var rest = Rates(Cli.Ok("train", "--resume", model, "--epochs", "3", "--json"));
        Assert.Equal(whole, first.Concat(rest).ToArray());
        Assert.True(whole[^1] < whole[0], "the schedule lowered the rate");
    }

    [Theory]
    [InlineData(new[] { "--lr-schedule", "cosin" }, "unknown --lr-schedule 'cosin' (known: none, linear, step, cosine, plateau); did you mean 'cosine'?")]
    [InlineData(new[] { "--lr-schedule", "step", "--lr-final", "0.1" }, "--lr-final applies to --lr-schedule linear, not step")]
    [InlineData(new[] { "--lr-patience", "3" }, "--lr-patience applies to --lr-schedule plateau, not none")]
    [InlineData(new[] { "--lr-schedule", "step", "--lr-gamma", "1.5" }, "--lr-gamma must be in (0, 1), got 1.5")]
    public void Schedule_mistakes_are_one_line_user_errors(string[] args, string message) =>
        Cli.AssertUserError(Cli.Run(["train", "--data", "iris", "--epochs", "1", .. args]), message);
}
