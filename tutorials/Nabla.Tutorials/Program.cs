// The lectures as tutorials: `dotnet run -c Release --project tutorials/Nabla.Tutorials -- NN` runs tutorial NN
// (see tutorials/README.md); `-- list` lists them.
return Nabla.Tutorials.TutorialRunner.Execute(args, Console.Out, Console.Error);
