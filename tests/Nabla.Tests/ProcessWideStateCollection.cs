namespace Nabla.Tests;

/// <summary>
/// Test classes that change process-wide settings (<c>WorkerPool.MaxThreads</c>) or count the bytes
/// their thread allocates. They run alone, after the parallel tests: a thread-count change made by
/// one class would otherwise send another class's measured loop down a code path it never warmed
/// up (a first-use object counts as an allocation), and the results of 1-vs-2-thread comparisons
/// would depend on what else was running.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideStateCollection
{
    /// <summary>The collection's name, for <c>[Collection(ProcessWideStateCollection.Name)]</c>.</summary>
    public const string Name = "Process-wide state";
}
