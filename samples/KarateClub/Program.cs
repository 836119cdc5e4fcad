// Tutorial: a graph convolutional network on Zachary's karate club (34 members, 78 friendships, two
// factions after the club split). Only two members are labelled — the instructor (0, "Mr. Hi") and
// the administrator (33, "Officer") — and each member's only feature is who it is (a one-hot row).
// Everything else the GCN learns comes through the friendships. Prints each member's predicted faction
// and, last, one JSON line.
//
// Usage: dotnet run -c Release --project samples/KarateClub -- [--epochs 100] [--seed 42]
using System.Globalization;
using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

int epochs = 100;
ulong seed = 42;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--epochs": epochs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--seed": seed = ulong.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"KarateClub: unknown option {args[i]}; options: --epochs N --seed S"); return 2;
    }
}

// 1. The data: a Graph (CSR adjacency, both directions of each friendship), features and labels.
var club = KarateClub.Load();
Console.WriteLine($"{club.Graph}: {club.Classes[0]} vs {club.Classes[1]}");

// 2. The model: two GCNConv layers, as PyG's `GCN(torch.nn.Module)` with forward(x, edge_index).
var rng = new Rng(seed);
var model = new Gcn(KarateClub.NodeCount, 16, 2, rng);

// 3. Semi-supervised training: the loss sees the two labelled members only.
int[] labelled = [0, 33];
var trainIndex = NodeData.Index(labelled);
var targets = club.Targets(labelled);
var optimizer = new Adam(model.Parameters(), 1e-2f, weightDecay: 5e-4f);
var loss = new CrossEntropyLoss();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    using var step = TensorScope.Begin("karate step");
    optimizer.ZeroGrad();
    var l = loss.Forward(model.Forward(club.Features!, club.Graph).IndexSelect(0, trainIndex), targets);
    l.Backward();
    optimizer.Step();
    if (epoch % 25 == 0) Console.WriteLine($"epoch {epoch}: loss {l.Item():F4}");
}

// 4. Every member's faction as the model sees it.
model.Eval();
float[] predicted;
using (GradMode.NoGrad()) predicted = model.Forward(club.Features!, club.Graph).ArgMax(1).ToArray();
int correct = 0;
for (int member = 0; member < KarateClub.NodeCount; member++)
{
    bool right = (int)predicted[member] == club.Labels[member];
    if (!labelled.Contains(member)) correct += right ? 1 : 0;
    Console.WriteLine($"member {member,2}: predicted {club.Classes[(int)predicted[member]],-7} actual {club.Classes[club.Labels[member]],-7}{(right ? "" : "  ✗")}{(labelled.Contains(member) ? "  (labelled)" : "")}");
}
double accuracy = correct / 32.0;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"accuracy\":{accuracy:F4},\"correct\":{correct},\"unlabelled\":32}}"));
return 0;

/// <summary>Two graph convolutions with ReLU and dropout between them.</summary>
internal sealed class Gcn : GraphModule
{
    private readonly GCNConv _conv1, _conv2;
    private readonly Dropout _dropout;

    public Gcn(int features, int hidden, int classes, Rng rng)
    {
        _conv1 = RegisterModule("conv1", new GCNConv(features, hidden, rng));
        _conv2 = RegisterModule("conv2", new GCNConv(hidden, classes, rng));
        _dropout = RegisterModule("dropout", new Dropout(0.5f, rng));
    }

    public override Tensor Forward(NodeFeatures x, Graph graph) =>
        _conv2.Forward(_dropout.Forward(_conv1.Forward(x, graph).Relu()), graph);
}
