"""What cnn-epoch.py and cnn3-epoch.py share: the Fashion-MNIST epoch timed the way Nabla.Bench times it.

--limit N trains on the first N images (shuffled) and reports the time scaled by 60,000 / N, exactly as the Nabla
side does; samples/s is that of the measured part.
"""
import time
import mlp_common as c


def run_epoch(name, args, build):
    """Warm up on a throwaway model, time one (limited) epoch of build(), report seconds, samples/s and accuracy."""
    import torch
    # Bytes kept as uint8 [N, 1, 28, 28] and scaled by 1/255 per batch, like Nabla's ImageDataset.
    train_x, train_y = c.load(args.data, "train")
    test_x, test_y = c.load(args.data, "t10k")
    train_x, test_x = train_x.view(-1, 1, 28, 28), test_x.view(-1, 1, 28, 28)
    epoch_images = train_x.shape[0]
    if not 0 <= args.limit <= epoch_images:
        raise SystemExit(f"--limit must be in 0..{epoch_images}, got {args.limit}")
    timed = args.limit if 0 < args.limit < epoch_images else epoch_images

    # Same warm-up as the Nabla side: 10 batches on a throwaway model.
    torch.manual_seed(args.seed + 1)
    c.train_epoch(build(), train_x, train_y, torch.Generator().manual_seed(args.seed + 1), limit=128 * 10)

    torch.manual_seed(args.seed)
    model = build()
    t0 = time.perf_counter()
    loss = c.train_epoch(model, train_x, train_y, torch.Generator().manual_seed(args.seed), limit=timed)
    measured = time.perf_counter() - t0
    seconds = measured * epoch_images / timed
    acc = c.accuracy(model, test_x, test_y)
    scaled = "" if timed == epoch_images else f" (measured {measured:.3f} s on {timed} images, scaled to {epoch_images})"
    print(f"torch {torch.__version__} {name} threads={args.threads}: {seconds:.3f} s/epoch{scaled}, "
          f"{timed / measured:.0f} samples/s, train loss {loss:.4f}, test accuracy {acc:.4f}")
    c.result("seconds", seconds, "s", "lower")
    c.result("samples_per_s", timed / measured, "samples/s", "higher")
    c.result("test_accuracy", acc, "fraction", "parity")
    c.result("timed_images", timed, "images", "parity")
