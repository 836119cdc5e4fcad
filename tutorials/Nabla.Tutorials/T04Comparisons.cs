using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 4: activations, losses and optimizers compared on one task — a 64-32-10 network on the digits, the
/// same seed for every run, so only the choice under study changes. Writes the optimizers' validation-loss curves
/// as <c>04-optimizers.svg</c>.
/// </summary>
public sealed class Comparisons : Tutorial
{
    public override string Number => "04";
    public override string Slug => "comparisons";
    public override string Title => "Activations, losses and optimizers compared on one task";
    public override string Headline => "adam_test_accuracy";
    public override double Floor => 0.93;

    private const int Epochs = 15;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var data = Digits.Load();
        var figures = new List<KeyValuePair<string, object>>();

        o.WriteLine($"activations (Adam 1e-3, cross-entropy, {Epochs} epochs):");
        foreach (var (name, make) in new (string, Func<Module>)[] { ("sigmoid", () => new Sigmoid()), ("tanh", () => new Tanh()), ("relu", () => new ReLU()) })
        {
            var (accuracy, _) = Train(data, make, p => new Adam(p, 1e-3f), new CrossEntropyLoss(), oneHot: false);
            o.WriteLine($"  {name,-8} test accuracy {F(accuracy)}");
            figures.Add(Figure($"{name}_test_accuracy", accuracy));
        }

        o.WriteLine("losses (ReLU, Adam 1e-3): the network's 10 outputs against the class");
        var (crossEntropy, _) = Train(data, () => new ReLU(), p => new Adam(p, 1e-3f), new CrossEntropyLoss(), oneHot: false);
        var (mse, _) = Train(data, () => new ReLU(), p => new Adam(p, 1e-3f), new MSELoss(), oneHot: true);
        o.WriteLine($"  cross-entropy on softmax    test accuracy {F(crossEntropy)}");
        o.WriteLine($"  mean squared error, one-hot test accuracy {F(mse)}");
        figures.Add(Figure("mse_test_accuracy", mse));

        o.WriteLine("optimizers (ReLU, cross-entropy):");
        var curves = new List<(string, IReadOnlyList<double>)>();
        foreach (var (name, make) in new (string, Func<IEnumerable<Tensor>, Optimizer>)[]
        {
            ("SGD 0.01", p => new SGD(p, 0.01f)),
            ("SGD 0.01 momentum 0.9", p => new SGD(p, 0.01f, momentum: 0.9f)),
            ("RMSprop 1e-3", p => new RMSprop(p, 1e-3f)),
            ("Adam 1e-3", p => new Adam(p, 1e-3f)),
        })
        {
            var (accuracy, history) = Train(data, () => new ReLU(), make, new CrossEntropyLoss(), oneHot: false);
            o.WriteLine($"  {name,-22} val_loss after epoch 1 {F(history.ValidationLoss[0])}, after {Epochs} {F(history.ValidationLoss[^1])}; test accuracy {F(accuracy)}");
            curves.Add((name, history.ValidationLoss));
            if (name.StartsWith("SGD 0.01 m", StringComparison.Ordinal)) figures.Add(Figure("momentum_test_accuracy", accuracy));
            else if (name.StartsWith("SGD", StringComparison.Ordinal)) figures.Add(Figure("sgd_test_accuracy", accuracy));
            else if (name.StartsWith("Adam", StringComparison.Ordinal)) figures.Add(Figure("adam_test_accuracy", accuracy));
        }
        SvgPlot.Save(context.Output("04-optimizers.svg"), "digits, 64-32-10 ReLU: validation loss per epoch", "cross-entropy", curves);
        o.WriteLine("wrote 04-optimizers.svg");
        return figures;
    }

    private static (double Accuracy, History History) Train(Digits data, Func<Module> activation, Func<IEnumerable<Tensor>, Optimizer> optimizer, Loss loss, bool oneHot)
    {
        var rng = new Rng(7);
        var model = new Sequential(new Dense(64, 32, rng), activation(), new Dense(32, 10, rng));
        Tensor Targets(Dataset d) => oneHot ? Encode.OneHot(d.Y, 10) : d.Y;
        var history = model.Fit(data.Train.X, Targets(data.Train), optimizer(model.Parameters()), loss, epochs: Epochs, batchSize: 32,
            validationData: (data.Validation.X, Targets(data.Validation)), rng: new Rng(8));
        var predicted = model.PredictClasses(data.Test.X).ToArray();
        var labels = data.Test.Y.ToArray();
        return (predicted.Zip(labels, (p, t) => p == t ? 1.0 : 0.0).Average(), history);
    }
}
