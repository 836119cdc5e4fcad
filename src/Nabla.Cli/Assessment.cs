using Nabla.Autograd;
using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Cli;

/// <summary>Test figures of a model: the loss plus accuracy (classification) or MSE and R² in target units (regression).</summary>
/// <param name="Figures">Named figures in report order (<c>test_loss</c>, <c>test_accuracy</c> or <c>test_mse</c>, …).</param>
/// <param name="Confusion">The confusion matrix for multi-class and binary tasks, else null.</param>
internal sealed record Assessment(IReadOnlyList<KeyValuePair<string, double>> Figures, ConfusionMatrix? Confusion)
{
    /// <summary>Evaluates <paramref name="model"/> on prepared <paramref name="test"/> data.</summary>
    public static Assessment Run(Module model, IDataset test, TaskKind task, ModelInfo info, int batchSize)
    {
        var loss = ModelPlan.LossFor(task);
        var source = new DataLoader(test, batchSize);
        double testLoss = model.Evaluate(source, loss).Loss;
        var output = model.Predict(source);
        var (_, y) = Preparation.All(test);
        var figures = new List<KeyValuePair<string, double>> { new("test_loss", testLoss) };
        ConfusionMatrix? confusion = null;
        switch (task)
        {
            case TaskKind.MultiClass:
                confusion = ClassificationMetrics.ConfusionMatrix(output, y, Math.Max(info.Classes.Count, output.Shape[-1]));
                figures.Add(new("test_accuracy", confusion.Accuracy()));
                figures.Add(new("test_macro_f1", confusion.MacroF1()));
                break;
            case TaskKind.Binary:
            {
                float theta = info.Thresholds.Count > 0 ? info.Thresholds[0] : 0.5f;
                var predicted = Probabilities(output, task).ToArray().Select(p => p >= theta ? 1 : 0).ToArray();
                var actual = y.ToArray().Select(v => v >= 0.5f ? 1 : 0).ToArray();
                confusion = ConfusionMatrix.FromLabels(actual, predicted, 2);
                figures.Add(new("test_accuracy", confusion.Accuracy()));
                figures.Add(new("test_f1", confusion.F1(1)));
                break;
            }
            case TaskKind.MultiLabel:
            {
                var thresholds = new DecisionThresholds(info.Thresholds.Count > 0 ? [.. info.Thresholds] : [0.5f]);
                var predicted = thresholds.Apply(Probabilities(output, task));
                figures.Add(new("test_accuracy", MultiLabelMetrics.SubsetAccuracy(y, predicted)));
                figures.Add(new("test_micro_f1", MultiLabelMetrics.MicroF1(y, predicted)));
                figures.Add(new("test_macro_f1", MultiLabelMetrics.MacroF1(y, predicted)));
                break;
            }
            default:
            {
                var values = Preparation.Destandardize(output, info.TargetMean, info.TargetStd);
                var actual = Preparation.Destandardize(y, info.TargetMean, info.TargetStd);
                var a = actual.Reshape(values.Shape.ToArray());
                figures.Add(new("test_mse", RegressionMetrics.MeanSquaredError(values, a)));
                figures.Add(new("test_mae", RegressionMetrics.MeanAbsoluteError(values, a)));
                figures.Add(new("test_r2", RegressionMetrics.R2(values, a)));
                break;
            }
        }
        return new Assessment(figures, confusion);
    }

    /// <summary>What a task's raw outputs mean: softmax rows (multi-class), sigmoids (binary, multi-label), values otherwise.</summary>
    public static Tensor Probabilities(Tensor output, TaskKind task)
    {
        using var noGrad = GradMode.NoGrad();
        using (TensorScope.Suspend())
        {
            return task switch
            {
                TaskKind.MultiClass => output.Softmax(-1).Contiguous(),
                TaskKind.Binary or TaskKind.MultiLabel => output.Sigmoid().Contiguous(),
                _ => output,
            };
        }
    }
}
