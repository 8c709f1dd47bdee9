package dev.distill.bench;

import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.text.PromptEmbeddings;
import dev.distill.sdxl.text.PromptRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The other parts of an SDXL call on the sdxl-tiny pipeline: VAE decode of 32×32 latents to 64×64
 * images (batch 1), and text encoding of one prompt with its (empty) negative prompt by both
 * encoders.
 */
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx4g",
      "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
      "-Dorg.bytedeco.javacpp.maxBytes=0"
    })
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TinyComponentsBenchmark {
  private TinyPipelineState s;
  private Tensor latents;
  private Tensor images;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    s = new TinyPipelineState();
    latents = s.randn(5, 1, s.inChannels, s.latentSize, s.latentSize);
    long size = s.latentSize * s.pipe.vaeScaleFactor();
    images = s.own(() -> torch.rand(1, 3, size, size).mul(new Scalar(2)).sub(new Scalar(1)));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    s.close();
  }

  @Benchmark
  public double vaeDecode() {
    try (TensorScope sc = TensorScope.open()) {
      return s.pipe.decode(latents).sum().item_double();
    }
  }

  /** Deterministic encode (the posterior mean), as {@code SdxlVaeEncoder} does for D4M. */
  @Benchmark
  public double vaeEncode() {
    try (TensorScope sc = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      return s.pipe.encodeLatents(images, null).sum().item_double();
    }
  }

  @Benchmark
  public double textEncode() {
    try (TensorScope sc = TensorScope.open()) {
      PromptEmbeddings e =
          s.pipe
              .textEncoder()
              .encode(
                  PromptRequest.builder(List.of("a photo of a red fox in the snow"))
                      .classifierFreeGuidance(true)
                      .build());
      return e.promptEmbeds().sum().item_double() + e.pooledPromptEmbeds().sum().item_double();
    }
  }
}
