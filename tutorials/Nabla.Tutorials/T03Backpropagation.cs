using Nabla.Autograd;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 3: backpropagation worked by hand on the lecture's 2-2-2 sigmoid network (in double precision, the
/// chain rule written out), next to what the autodiff engine records for the same step (<see cref="StepTrace"/>,
/// what <c>nabla explain --example lecture</c> prints); then <see cref="GradCheck"/> compares autodiff with
/// finite differences on a network of random weights.
/// </summary>
public sealed class Backpropagation : Tutorial
{
    public override string Number => "03";
    public override string Slug => "backpropagation";
    public override string Title => "Backpropagation by hand next to autodiff";
    public override string Headline => "max_difference_hand_vs_autodiff";
    public override double Floor => 1e-6;
    public override bool HigherIsBetter => false;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        double[] x = [0.05, 0.10], t = [0.01, 0.99];
        double[,] w1 = { { 0.15, 0.20 }, { 0.25, 0.30 } }, w2 = { { 0.40, 0.45 }, { 0.50, 0.55 } };
        const double b1 = 0.35, b2 = 0.60, eta = 0.5;
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

        // Forward: net = Σ w·in + b, out = σ(net); E = Σ ½(t − out)².
        var h = new double[2];
        var y = new double[2];
        for (int j = 0; j < 2; j++) h[j] = Sigmoid(w1[j, 0] * x[0] + w1[j, 1] * x[1] + b1);
        for (int k = 0; k < 2; k++) y[k] = Sigmoid(w2[k, 0] * h[0] + w2[k, 1] * h[1] + b2);
        double e = 0.5 * ((t[0] - y[0]) * (t[0] - y[0]) + (t[1] - y[1]) * (t[1] - y[1]));

        // Backward: δ_o = ∂E/∂net_o = (out − t)·out(1 − out); δ_h = Σ_o δ_o·w(h→o) · out_h(1 − out_h);
        // ∂E/∂w = δ(to) · out(from); w⁺ = w − η ∂E/∂w.
        var deltaO = new double[2];
        var deltaH = new double[2];
        for (int k = 0; k < 2; k++) deltaO[k] = (y[k] - t[k]) * y[k] * (1 - y[k]);
        for (int j = 0; j < 2; j++) deltaH[j] = (deltaO[0] * w2[0, j] + deltaO[1] * w2[1, j]) * h[j] * (1 - h[j]);
        var gradW1 = new double[2, 2];
        var gradW2 = new double[2, 2];
        for (int j = 0; j < 2; j++)
            for (int i = 0; i < 2; i++)
            {
                gradW1[j, i] = deltaH[j] * x[i];
                gradW2[j, i] = deltaO[j] * h[i];
            }

        // The same step through the engine: one loss.Backward(), read layer by layer.
        var trace = LectureExample.Run();
        var autodiffW1 = trace.Layers[0].Parameters[0];
        var autodiffW2 = trace.Layers[2].Parameters[0];
        double worst = 0;
        void Row(string name, double hand, double engine)
        {
            worst = Math.Max(worst, Math.Abs(hand - engine));
            o.WriteLine($"  {name,-14} {F(hand, "F9"),12}  {F(engine, "F9"),12}  {Math.Abs(hand - engine).ToString("0.0E+0", System.Globalization.CultureInfo.InvariantCulture)}");
        }
        o.WriteLine($"  {"quantity",-14} {"by hand",12}  {"autodiff",12}  |difference|");
        Row("out_o1", y[0], trace.Layers[3].Output[0, 0]);
        Row("out_o2", y[1], trace.Layers[3].Output[0, 1]);
        Row("E", e, trace.Loss);
        Row("δ_o1", deltaO[0], trace.Layers[2].OutputGradient[0, 0]);
        Row("δ_h1", deltaH[0], trace.Layers[0].OutputGradient[0, 0]);
        string[] names = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"];
        for (int n = 0; n < 8; n++)
        {
            int j = n % 4 / 2, i = n % 2;
            var (grad, trained) = n < 4 ? (gradW1[j, i], autodiffW1) : (gradW2[j, i], autodiffW2);
            Row($"∂E/∂{names[n]}", grad, trained.Gradient[j, i]);
        }
        Row("w5⁺", w2[0, 0] - eta * gradW2[0, 0], autodiffW2.Updated[0, 0]);
        Row("w1⁺", w1[0, 0] - eta * gradW1[0, 0], autodiffW1.Updated[0, 0]);
        o.WriteLine($"E before the step {F(trace.Loss, "F7")}, after {F(trace.LossAfter, "F7")}");

        // Autodiff against finite differences: a 3-4-2 tanh network's loss as a function of its weights.
        var rng = new Rng(3);
        var input = Tensor.Randn(new Shape(5, 3), rng);
        var target = Tensor.Randn(new Shape(5, 2), rng);
        var weights = new[]
        {
            (Tensor.Randn(new Shape(4, 3), rng) * 0.5f).Detach().RequireGrad(), Tensor.Zeros(4).RequireGrad(),
            (Tensor.Randn(new Shape(2, 4), rng) * 0.5f).Detach().RequireGrad(), Tensor.Zeros(2).RequireGrad(),
        };
        var check = GradCheck.Run(p => (input.Linear(p[0], p[1]).Tanh().Linear(p[2], p[3]) - target).Square().Mean(), weights);
        o.WriteLine($"GradCheck of a 3-4-2 tanh network (every weight and bias, four write paths): passed = {check.Passed}, largest error {check.MaxError.ToString("0.0E+0", System.Globalization.CultureInfo.InvariantCulture)}");
        return
        [
            Figure("out_o1", trace.Layers[3].Output[0, 0], 8),
            Figure("error", trace.Loss, 8),
            Figure("w5_updated", autodiffW2.Updated[0, 0], 8),
            Figure("max_difference_hand_vs_autodiff", worst, 9),
            Figure("gradcheck_passed", check.Passed),
        ];
    }
}
