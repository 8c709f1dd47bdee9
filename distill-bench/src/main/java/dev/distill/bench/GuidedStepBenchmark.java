package dev.distill.bench;

import dev.distill.bench.BenchSupport.GuidanceKind;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One guided denoising step of the sdxl-tiny pipeline (batch 1, CFG on, 32×32 latents): {@code
 * none} is the unguided step, {@code z0} a loss on ẑ0, {@code decoder} a loss on the decoded x̂0
 * (gradient through the VAE decoder), {@code unet} the same with the gradient also through the
 * UNet. The ratio of each to {@code none} is the cost of guidance.
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
public class GuidedStepBenchmark {
  @Param({"none", "z0", "decoder", "unet"})
  public String guidance;

  private TinyStep step;
  private GuidanceKind kind;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    kind = GuidanceKind.parse(guidance);
    step = new TinyStep(1, true);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    step.close();
  }

  @Benchmark
  public double guidedStep() {
    return step.run(kind);
  }
}
