using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Truncated backpropagation through time for streams too long to backpropagate through whole:
/// the stream is fed to a recurrent module k steps at a time, the state after each chunk is carried
/// into the next (so the forward pass is exactly the full-stream one), but detached — gradients
/// stop at the chunk boundary, so memory and time per update stay proportional to k.
/// </summary>
/// <remarks>
/// The carried state is copied into buffers this object owns, so it survives the
/// <see cref="TensorScope"/> of each chunk and a steady-state loop allocates nothing for it.
/// Call <see cref="Reset"/> when a new, unrelated stream starts.
/// </remarks>
/// <example><code>
/// var tbptt = new TruncatedBptt(lstm);
/// tbptt.Run(stream, k: 35, (chunk, targets, start) =>       // stream [N, T, F], targets [N, T]
/// {
///     var logits = head.Forward(chunk.Output);                 // [N, k, C]
///     var loss = ce.Forward(logits.Reshape(-1, classes), targets.Narrow(1, start, chunk.Output.Shape[1]).Reshape(-1));
///     loss.Backward();
///     optimizer.Step();
///     optimizer.ZeroGrad();
/// }, targets);
/// </code></example>
public sealed class TruncatedBptt
{
    private readonly RNNBase _module;
    private Tensor? _h, _c;

    /// <summary>Carries state for <paramref name="module"/>.</summary>
    public TruncatedBptt(RNNBase module)
    {
        ArgumentNullException.ThrowIfNull(module);
        _module = module;
    }

    /// <summary>The state carried into the next chunk (values only, no graph), or null before the first chunk or after <see cref="Reset"/>.</summary>
    public RecurrentState? State => _h is null ? null : new RecurrentState(_h, _c);

    /// <summary>Forgets the carried state: the next chunk starts from zeros.</summary>
    public void Reset()
    {
        _h = null;
        _c = null;
    }

    /// <summary>
    /// Runs <paramref name="chunk"/> <c>[N, k, F]</c> from the carried state and carries its final
    /// state (detached) into the next call. The result is differentiable within the chunk only.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The batch size changed without <see cref="Reset"/>.</exception>
    public RecurrentOutput Forward(Tensor chunk, Tensor? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (_h is not null && chunk.Rank == 3 && chunk.Shape[0] != _h.Shape[1])
            throw new ShapeMismatchException($"TruncatedBptt: chunk {chunk.Shape} has {chunk.Shape[0]} rows but the carried state {_h.Shape} has {_h.Shape[1]}; call Reset() when the batch changes");
        var result = _module.Forward(chunk, State, lengths);
        // Copy the values out now: the result ends with the caller's scope, the carried state must
        // not (Tensor.Zeros is owned by the GC, never by a scope).
        _h ??= Tensor.Zeros(result.State.H.Shape);
        if (result.State.C is not null) _c ??= Tensor.Zeros(result.State.C.Shape);
        result.State.H.CopyTo(_h.AsSpan());
        result.State.C?.CopyTo(_c!.AsSpan());
        return result;
    }

    /// <summary>
    /// Feeds <paramref name="stream"/> <c>[N, T, F]</c> through the module <paramref name="k"/> steps
    /// at a time from the carried state. Each chunk runs in its own <see cref="TensorScope"/> and is
    /// handed to <paramref name="onChunk"/> with <paramref name="context"/> and the chunk's first
    /// timestep — compute the loss, call Backward and step the optimizer there.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public void Run<TContext>(Tensor stream, int k, Action<RecurrentOutput, TContext, int> onChunk, TContext context)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(onChunk);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, $"TruncatedBptt: chunk length k must be at least 1, got {k}");
        if (stream.Rank != 3) throw new ShapeMismatchException($"TruncatedBptt: stream must be [N, T, F], got {stream.Shape}");
        int total = stream.Shape[1];
        for (int start = 0; start < total; start += k)
        {
            using var scope = TensorScope.Begin("truncated BPTT chunk");
            var chunk = stream.Narrow(1, start, Math.Min(k, total - start)).Contiguous();
            onChunk(Forward(chunk), context, start);
        }
    }
}
