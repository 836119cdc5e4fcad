using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Data;

/// <summary>
/// Images kept as bytes (one byte per pixel, as IDX files store them) and converted to floats
/// <c>pixel × scale</c> only for the rows of each batch, so a data set of 60,000 28×28 images
/// takes 47 MB instead of 188 MB. Targets are the class labels <c>[b]</c>, or the images themselves
/// for autoencoders.
/// </summary>
public sealed class ImageDataset : IDataset
{
    private readonly byte[] _pixels;
    private readonly byte[]? _labels;
    private readonly int[] _sampleShape;
    private readonly int _sampleSize;

    /// <summary>Creates the dataset.</summary>
    /// <param name="pixels">All images, row-major, <c>count × Π sampleShape</c> bytes.</param>
    /// <param name="sampleShape">One image's shape as the model sees it, e.g. <c>[784]</c> or <c>[1, 28, 28]</c>.</param>
    /// <param name="labels">One class label per image; null makes the targets the images (autoencoder).</param>
    /// <param name="scale">Pixel scale; 1/255 maps bytes to [0, 1].</param>
    /// <exception cref="ShapeMismatchException">The byte counts do not fit the shape or the labels.</exception>
    public ImageDataset(byte[] pixels, int[] sampleShape, byte[]? labels, double scale = 1f / 255)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(sampleShape);
        _sampleShape = (int[])sampleShape.Clone();
        _sampleSize = new Shape(_sampleShape).Numel;
        if (_sampleSize == 0 || pixels.Length % _sampleSize != 0)
            throw new ShapeMismatchException($"{pixels.Length} pixel bytes do not divide into images of shape [{string.Join(", ", sampleShape)}]");
        Count = pixels.Length / _sampleSize;
        if (labels is not null && labels.Length != Count)
            throw new ShapeMismatchException($"{Count} images but {labels.Length} labels");
        _pixels = pixels;
        _labels = labels;
        Scale = (float)scale;
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>The factor applied to each byte.</summary>
    public float Scale { get; }

    /// <summary>True when the targets are the images (no labels were given).</summary>
    public bool TargetIsInput => _labels is null;

    /// <summary>The label of sample <paramref name="index"/>.</summary>
    public int Label(int index) => _labels is null ? throw new InvalidOperationException("this image dataset has no labels") : _labels[index];

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Batch Gather(ReadOnlySpan<int> indices)
    {
        Dataset.CheckIndices(indices, Count);
        Span<int> dims = stackalloc int[_sampleShape.Length + 1];
        dims[0] = indices.Length;
        _sampleShape.CopyTo(dims[1..]);
        var x = Tensor.Scoped(new Shape(dims));
        // Rows are independent: with a second core, each converts half of them (the caller's
        // half while the worker converts the other), which halves the gather of a 128-image batch.
        if ((long)indices.Length * _sampleSize >= ParallelFloats && WorkerPool.MaxThreads > 1 && !WorkerPool.InsideWork)
        {
            var work = _gatherWork ??= new GatherWork();
            work.Start(this, indices, x, WorkerPool.MaxThreads);
            try
            {
                WorkerPool.Run(work, work.Pieces);
            }
            finally
            {
                work.Finish();
            }
        }
        else
        {
            ConvertRows(indices, x.AsSpan());
        }
        if (_labels is null) return new Batch(x, x);
        var y = Tensor.Scoped(new Shape(indices.Length));
        var ys = y.AsSpan();
        for (int r = 0; r < indices.Length; r++) ys[r] = _labels[indices[r]];
        return new Batch(x, y);
    }

    private const int ParallelFloats = 1 << 14;
    private const int PrefetchDistance = 6;

    [ThreadStatic] private static GatherWork? _gatherWork;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ConvertRows(ReadOnlySpan<int> indices, Span<float> dst)
    {
        for (int r = 0; r < indices.Length; r++)
        {
            // The rows are random, so the hardware prefetcher cannot guess the next one; asking
            // for a row a few iterations ahead overlaps its memory latency with this conversion.
            if (r + PrefetchDistance < indices.Length) Prefetch(indices[r + PrefetchDistance]);
            Kernels.ByteConversion.ToSingle(_pixels.AsSpan(indices[r] * _sampleSize, _sampleSize), Scale, dst.Slice(r * _sampleSize, _sampleSize));
        }
    }

    // One gather split into contiguous blocks of rows; reused by the thread that owns it.
    private sealed class GatherWork : IParallelWork
    {
        private int[] _indices = [];
        private int _count;
        private ImageDataset? _dataset;
        private Tensor? _x;

        public int Pieces { get; private set; }

        public void Start(ImageDataset dataset, ReadOnlySpan<int> indices, Tensor x, int pieces)
        {
            if (_indices.Length < indices.Length) _indices = new int[indices.Length];
            indices.CopyTo(_indices);
            _count = indices.Length;
            _dataset = dataset;
            _x = x;
            Pieces = Math.Min(pieces, indices.Length);
        }

        public void Execute(int index)
        {
            int start = (int)((long)_count * index / Pieces), end = (int)((long)_count * (index + 1) / Pieces);
            int size = _dataset!._sampleSize;
            _dataset.ConvertRows(_indices.AsSpan(start, end - start), _x!.AsSpan().Slice(start * size, (end - start) * size));
        }

        public void Finish()
        {
            _dataset = null;
            _x = null;
        }
    }

    private unsafe void Prefetch(int row)
    {
        if (!System.Runtime.Intrinsics.X86.Sse.IsSupported) return;
        fixed (byte* start = &_pixels[row * _sampleSize])
        {
            for (int offset = 0; offset < _sampleSize; offset += 64) System.Runtime.Intrinsics.X86.Sse.Prefetch0(start + offset);
            System.Runtime.Intrinsics.X86.Sse.Prefetch0(start + _sampleSize - 1);
        }
    }

    /// <summary>A new dataset of the images <paramref name="indices"/> (bytes copied, in that order).</summary>
    public ImageDataset Subset(ReadOnlySpan<int> indices)
    {
        Dataset.CheckIndices(indices, Count);
        var pixels = new byte[indices.Length * _sampleSize];
        byte[]? labels = _labels is null ? null : new byte[indices.Length];
        for (int r = 0; r < indices.Length; r++)
        {
            _pixels.AsSpan(indices[r] * _sampleSize, _sampleSize).CopyTo(pixels.AsSpan(r * _sampleSize));
            if (labels is not null) labels[r] = _labels![indices[r]];
        }
        return new ImageDataset(pixels, _sampleShape, labels, Scale);
    }

    /// <summary>The labels as floats <c>[N]</c> (e.g. for stratified splits).</summary>
    public float[] LabelsAsFloats() => _labels is null ? throw new InvalidOperationException("this image dataset has no labels") : [.. _labels.Select(b => (float)b)];
}
