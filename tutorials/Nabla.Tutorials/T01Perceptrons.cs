using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 1: one threshold unit trained by the perceptron rule w ← w + η(t − y)x learns AND and OR, and never
/// XOR, whose classes no line separates; a hidden layer fixes it — hand-wired (OR ∧ ¬AND) and learned by gradient descent.
/// </summary>
public sealed class Perceptrons : Tutorial
{
    public override string Number => "01";
    public override string Slug => "perceptrons";
    public override string Title => "Perceptrons: AND, OR, and why XOR needs a hidden layer";
    public override string Headline => "xor_hidden_layer_accuracy";
    public override double Floor => 1.0;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var x = Tensor.FromArray([0f, 0, 0, 1, 1, 0, 1, 1], 4, 2);
        var truthTables = new (string Name, float[] Targets)[]
        {
            ("AND", [0, 0, 0, 1]),
            ("OR", [0, 1, 1, 1]),
            ("XOR", [0, 1, 1, 0]),
        };
        var accuracy = new Dictionary<string, double>();
        foreach (var (name, targets) in truthTables)
        {
            var perceptron = new Perceptron(2, learningRate: 1f);
            int[] errors = perceptron.Fit(x, Tensor.FromArray(targets, 4), epochs: 10);
            var predicted = perceptron.Predict(x).ToArray();
            accuracy[name] = predicted.Zip(targets, (p, t) => p == t ? 1.0 : 0.0).Average();
            var w = perceptron.Weight.ToArray();
            o.WriteLine($"{name,-3}  errors per epoch: {string.Join(" ", errors)}");
            o.WriteLine($"     w = [{F(w[0], "G3")}, {F(w[1], "G3")}], b = {F(perceptron.Bias[0], "G3")}, predictions {string.Join(" ", predicted)} (targets {string.Join(" ", targets)}), accuracy {F(accuracy[name], "F2")}");
        }
        o.WriteLine("XOR never reaches an epoch without errors: no line w·x + b = 0 puts (0,1), (1,0) on one side and (0,0), (1,1) on the other.");

        // The hand-wired answer: hidden units OR and AND, output OR ∧ ¬AND.
        var xor = LogicNetworks.Xor();
        float[] wired;
        using (GradMode.NoGrad()) wired = xor.Forward(x).ToArray();
        o.WriteLine($"hand-wired 2-2-1 step network (hidden OR, AND; output h1 ∧ ¬h2): {string.Join(" ", wired)}");

        // The learned answer: a 2-4-1 tanh network, BCE on the logit, Adam — the hidden layer bends the boundary.
        var rng = new Rng(1);
        var net = new Sequential(new Dense(2, 4, rng), new Tanh(), new Dense(4, 1, rng));
        var y = Tensor.FromArray([0f, 1, 1, 0], 4, 1);
        var history = net.Fit(x, y, new Adam(net.Parameters(), 0.05f), new BCEWithLogitsLoss(), epochs: 300, batchSize: 4);
        float[] learned;
        using (GradMode.NoGrad()) learned = net.Forward(x).Sigmoid().ToArray();
        double learnedAccuracy = learned.Zip(new[] { 0f, 1, 1, 0 }, (p, t) => (p > 0.5f ? 1f : 0f) == t ? 1.0 : 0.0).Average();
        o.WriteLine($"learned 2-4-1 tanh network after 300 Adam steps: loss {F(history.Loss[^1])}, p(XOR = 1) = {string.Join(" ", learned.Select(p => F(p, "F3")))}");
        o.WriteLine($"hidden weights [out, in] = [4, 2]: {net[0].Parameters().First().Shape}");

        return
        [
            Figure("and_accuracy", accuracy["AND"]),
            Figure("or_accuracy", accuracy["OR"]),
            Figure("xor_perceptron_accuracy", accuracy["XOR"]),
            Figure("xor_hand_wired_accuracy", wired.Zip(new[] { 0f, 1, 1, 0 }, (p, t) => p == t ? 1.0 : 0.0).Average()),
            Figure("xor_hidden_layer_accuracy", learnedAccuracy),
        ];
    }
}
