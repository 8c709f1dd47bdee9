package dev.distill.bench;

import static com.google.common.base.Preconditions.checkArgument;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.sdxl.internal.nn.ModelWeights;
import dev.distill.sdxl.vae.AutoencoderKL;
import dev.distill.sdxl.vae.VaeConfig;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.pytorch.AutoGradMode;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Peak resident memory of the VAE decoder part of one step, built from a VAE config with seeded
 * random float32 weights: {@code baseline} (weights only), {@code nograd} (one decode without
 * autograd, as after sampling) or {@code grad} (decode with autograd and one {@code torch.grad}
 * back to the latents, as in a decoder-guided step). Peak RSS is per process, so run one mode per
 * JVM.
 *
 * <pre>DecoderMemory --vae DIR --size H W --mode baseline|nograd|grad [--threads T]</pre>
 */
public final class DecoderMemory {
  private DecoderMemory() {}

  /**
   * Runs one measurement and prints one line.
   *
   * @param args see the class comment
   * @throws Exception if the config cannot be read
   */
  public static void main(String[] args) throws Exception {
    Path dir = null;
    int h = 0;
    int w = 0;
    String mode = "grad";
    int threads = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--vae" -> dir = Path.of(args[++i]);
        case "--size" -> {
          h = Integer.parseInt(args[++i]);
          w = Integer.parseInt(args[++i]);
        }
        case "--mode" -> mode = args[++i];
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    checkArgument(dir != null, "--vae must be given but was missing");
    checkArgument(
        mode.equals("baseline") || mode.equals("nograd") || mode.equals("grad"),
        "mode must be baseline|nograd|grad but was %s",
        mode);
    Threads.set(threads);
    VaeConfig config = VaeConfig.from(JsonConfig.read(dir.resolve("config.json")));
    int factor =
        1
            << (JsonConfig.read(dir.resolve("config.json")).getIntList("block_out_channels").size()
                - 1);
    checkArgument(
        h % factor == 0 && w % factor == 0,
        "size must be a multiple of %s but was %sx%s",
        factor,
        h,
        w);
    try (AutoencoderKL vae =
            AutoencoderKL.of(
                config, ModelWeights.generating("vae", ScalarType.Float, new Device("cpu"), 7));
        TensorScope s = TensorScope.open()) {
      Tensor z = Rng.normal(3, 1, 4, h / factor, w / factor);
      long t0 = System.nanoTime();
      if (mode.equals("nograd")) {
        try (NoGradGuard g = new NoGradGuard()) {
          vae.decode(z).sum().item_double();
        }
      } else if (mode.equals("grad")) {
        try (AutoGradMode g = new AutoGradMode(true)) {
          Tensor zz = z.requires_grad_(true);
          Tensor loss = vae.decode(zz).square().mean();
          torch.grad(new TensorVector(loss), new TensorVector(zz)).get(0).sum().item_double();
        }
      }
      double sec = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "vae=%s size=%dx%d mode=%s: peak RSS %.0f MiB (%.2f s)%n",
          dir,
          h,
          w,
          mode,
          BenchSupport.peakRssMib(),
          sec);
    }
  }
}
