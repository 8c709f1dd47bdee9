package dev.distill.bench;

import dev.distill.bench.BenchSupport.GuidanceKind;
import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * One denoising step of the sdxl-tiny UNet on fixed seeded inputs, unguided or guided. The guided
 * step mirrors the sampler's: z_t requires grad, ε̂ after CFG (scale 5), ẑ0 = (z_t − √(1−ᾱ)·ε̂)/√ᾱ,
 * the loss ({@link GuidanceKind}), one {@code torch.grad} with respect to z_t, ε̂ + ∇. Owns its
 * pipeline; close it. Thread-confined.
 */
final class TinyStep implements AutoCloseable {
  private static final double ALPHA_BAR = 0.5;
  private final TinyPipelineState s;
  private final int batch;
  private final boolean cfg;
  private final Tensor latents;
  private final Tensor t;
  private final Tensor embeds;
  private final Tensor pooled;
  private final Tensor timeIds;

  TinyStep(int batch, boolean cfg) throws Exception {
    this.s = new TinyPipelineState();
    this.batch = batch;
    this.cfg = cfg;
    long rows = cfg ? 2L * batch : batch;
    latents = s.randn(1, batch, s.inChannels, s.latentSize, s.latentSize);
    embeds = s.randn(2, rows, 77, s.crossDim);
    pooled = s.randn(3, rows, s.pooledDim);
    t = s.own(() -> torch.scalar_tensor(new Scalar(500.0)));
    timeIds =
        s.own(
            () ->
                dev.distill.core.tensor.Tensors.fromFloats(new float[] {64, 64, 0, 0, 64, 64}, 1, 6)
                    .repeat(rows, 1));
  }

  TinyPipelineState state() {
    return s;
  }

  private Tensor eps(Tensor z) {
    Tensor in = cfg ? torch.cat(new TensorVector(z, z), 0) : z;
    Tensor out = s.pipe.unet().forward(in, t, embeds, pooled, timeIds);
    if (!cfg) {
      return out;
    }
    Tensor uncond = out.narrow(0, 0, batch);
    Tensor cond = out.narrow(0, batch, batch);
    return uncond.add(cond.sub(uncond).mul(new Scalar(5.0)));
  }

  /** Runs one step; returns the sum of the corrected ε̂ (to sink). */
  double run(GuidanceKind kind) {
    try (TensorScope sc = TensorScope.open();
        AutoGradMode grad = new AutoGradMode(kind != GuidanceKind.NONE)) {
      if (kind == GuidanceKind.NONE) {
        return eps(latents).sum().item_double();
      }
      Tensor z = latents.detach().requires_grad_(true);
      Tensor e;
      if (kind == GuidanceKind.UNET) {
        e = eps(z);
      } else {
        try (NoGradGuard g = new NoGradGuard()) {
          e = eps(z.detach());
        }
      }
      Tensor z0 =
          z.sub(e.mul(new Scalar(Math.sqrt(1 - ALPHA_BAR)))).div(new Scalar(Math.sqrt(ALPHA_BAR)));
      Tensor loss;
      if (kind == GuidanceKind.Z0) {
        loss = z0.square().sum();
      } else {
        Tensor x = s.pipe.vae().decode(z0.div(new Scalar(s.pipe.vae().scalingFactor())));
        loss = x.square().mean();
      }
      Tensor g = torch.grad(new TensorVector(loss), new TensorVector(z)).get(0);
      return e.detach().add(g).sum().item_double();
    }
  }

  @Override
  public void close() {
    s.close();
  }
}
