using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 11: a generative adversarial network on the 8×8 digits. The generator turns noise into images, the
/// discriminator tells them from real ones, and each learns against the other. Quality is measured, not eyeballed:
/// a digit classifier (the judge) says which classes the generated images look like, and the Fréchet distance
/// between the judge's features of generated and real images says how close the two distributions are.
/// </summary>
public sealed class Gan : Tutorial
{
    public override string Number => "11";
    public override string Slug => "gan";
    public override string Title => "Generative adversarial networks";
    public override string Headline => "class_coverage";
    public override double Floor => 7;

    private const int Steps = 1500, Batch = 64, Noise = 16;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var raw = Digits.LoadRaw();
        Tensor Scale(Tensor pixels) => pixels * (1f / 8f) - 1f;       // 0–16 → [−1, 1], the generator's tanh range
        var real = Scale(raw.Train.X);
        var realTest = Scale(raw.Test.X);

        // The judge: a plain classifier of real digits; its hidden layer's outputs are the features compared.
        var rng = new Rng(11);
        var judge = new Sequential(new Dense(64, 64, rng), new ReLU(), new Dense(64, 10, rng));
        judge.Fit(real, raw.Train.Y, new Adam(judge.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 30, rng: new Rng(12));
        double judgeAccuracy = judge.Evaluate(realTest, raw.Test.Y, null, [new Accuracy()]).Metrics["accuracy"];
        o.WriteLine($"judge: test accuracy {F(judgeAccuracy)} on real digits");

        var generator = new Sequential(new Dense(Noise, 128, rng), new ReLU(), new Dense(128, 64, rng), new Tanh());
        var discriminator = new Sequential(new Dense(64, 128, rng), new LeakyReLU(0.2f), new Dense(128, 1, rng));
        var optG = new Adam(generator.Parameters(), 1e-3f, beta1: 0.5f);
        var optD = new Adam(discriminator.Parameters(), 1e-3f, beta1: 0.5f);
        var bce = new BCEWithLogitsLoss();
        var ones = Tensor.Ones(new Shape(Batch, 1));
        var zeros = Tensor.Zeros(new Shape(Batch, 1));
        var order = new Rng(13);
        for (int step = 1; step <= Steps; step++)
        {
            using var scope = TensorScope.Begin("gan step");
            var rows = new int[Batch];
            for (int i = 0; i < Batch; i++) rows[i] = (int)(order.NextUInt64() % (ulong)real.Shape[0]);
            var x = real.IndexSelect(0, Tensor.FromArray([.. rows.Select(r => (float)r)], Batch));
            var fake = generator.Forward(Tensor.Randn(new Shape(Batch, Noise), rng));

            optD.ZeroGrad();                                           // discriminator: real → 1, generated → 0
            var lossD = bce.Forward(discriminator.Forward(x), ones) + bce.Forward(discriminator.Forward(fake.Detach()), zeros);
            lossD.Backward();
            optD.Step();

            optG.ZeroGrad();                                           // generator, non-saturating: BCE(D(G(z)), 1)
            var lossG = bce.Forward(discriminator.Forward(fake), ones);
            lossG.Backward();
            optG.Step();
            if (step % 500 == 0) o.WriteLine($"step {step}: discriminator loss {F(lossD.Item())}, generator loss {F(lossG.Item())}");
        }

        generator.Eval();
        Tensor generated;
        using (GradMode.NoGrad()) generated = generator.Forward(Tensor.Randn(new Shape(1000, Noise), new Rng(14)));
        var quality = GenerativeQuality.Measure(judge, generated, realTest);
        var floor = GenerativeQuality.Measure(judge, real, realTest);
        var noise = GenerativeQuality.Measure(judge, Tensor.Rand(new Shape(1000, 64), new Rng(15)) * 2f - 1f, realTest);
        o.WriteLine($"1,000 generated digits: {quality.ClassCoverage} of 10 classes with ≥ 5 % of them (shares {string.Join(" ", quality.ClassShares.Select(s => F(s, "F2")))})");
        o.WriteLine($"judge's mean confidence {F(quality.Confidence)}; Fréchet distance to the real test digits {F(quality.FrechetDistance, "F2")} " +
            $"(real training digits: {F(floor.FrechetDistance, "F2")}, uniform noise: {F(noise.FrechetDistance, "F2")})");
        Tensor enlarged;                                               // 8×8 is tiny on a screen: 4× nearest-neighbour
        using (GradMode.NoGrad()) enlarged = new Upsample(scaleFactor: 4).Forward(generated.Rows(0, 40).Reshape(40, 1, 8, 8));
        ImageGrid.Save(context.Output("11-generated.png"), enlarged, columns: 10, low: -1f, high: 1f);
        o.WriteLine("wrote 11-generated.png (40 generated digits)");
        return
        [
            Figure("class_coverage", quality.ClassCoverage),
            Figure("confidence", quality.Confidence),
            Figure("frechet_distance", quality.FrechetDistance, 2),
            Figure("real_frechet_distance", floor.FrechetDistance, 2),
            Figure("noise_frechet_distance", noise.FrechetDistance, 2),
        ];
    }
}
