package dev.distill.bench;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;

/**
 * The sdxl-tiny pipeline (real weights, 64×64 images, 32×32 latents) with synthetic conditioning
 * tensors of the UNet's shapes, for step-level benchmarks. The fixture root comes from the system
 * property {@code distill.fixtures} (default /work/shared/fixtures); the LibTorch thread count from
 * {@code distill.threads} (default: available processors). Not thread-safe.
 */
final class TinyPipelineState implements AutoCloseable {
  final SdxlPipeline pipe;
  final long latentSize;
  final long inChannels;
  final long crossDim;
  final long pooledDim;
  private final List<Tensor> owned = new ArrayList<>();

  TinyPipelineState() throws IOException {
    Threads.set(threads());
    Path dir = fixtures().resolve("sdxl-tiny");
    pipe = SdxlPipeline.load(dir, SdxlOptions.cpu());
    JsonConfig unet = JsonConfig.read(dir.resolve("unet/config.json"));
    latentSize = 64 / pipe.vaeScaleFactor();
    inChannels = unet.getInt("in_channels");
    crossDim = unet.getInt("cross_attention_dim");
    pooledDim =
        unet.getInt("projection_class_embeddings_input_dim")
            - 6L * unet.getInt("addition_time_embed_dim");
  }

  /** The LibTorch intra-op thread count for benchmarks. */
  static int threads() {
    return Integer.getInteger("distill.threads", Runtime.getRuntime().availableProcessors());
  }

  static Path fixtures() {
    Path root = Path.of(System.getProperty("distill.fixtures", "/work/shared/fixtures"));
    if (!Files.isDirectory(root.resolve("sdxl-tiny"))) {
      throw new IllegalStateException(
          "the sdxl-tiny fixture must exist under " + root + " (set -Ddistill.fixtures)");
    }
    return root;
  }

  /** Seeded N(0, 1) tensor, owned by this state. */
  Tensor randn(long seed, long... shape) {
    return own(() -> Rng.normal(seed, shape));
  }

  /** Creates a tensor in a scope of its own and keeps it until {@link #close}. */
  Tensor own(Supplier<Tensor> make) {
    try (TensorScope sc = TensorScope.open()) {
      Tensor t = sc.detach(make.get());
      owned.add(t);
      return t;
    }
  }

  @Override
  public void close() {
    owned.forEach(Tensor::close);
    owned.clear();
    pipe.close();
  }
}
