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
 * One unguided denoising step (UNet forward, plus CFG combination when on) of the sdxl-tiny UNet at
 * 32×32 latents (64×64 images), batch 1 and 4, CFG on (UNet batch 2B) and off.
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
public class UNetStepBenchmark {
  @Param({"1", "4"})
  public int batch;

  @Param({"true", "false"})
  public boolean cfg;

  private TinyStep step;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    step = new TinyStep(batch, cfg);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    step.close();
  }

  @Benchmark
  public double unetStep() {
    return step.run(GuidanceKind.NONE);
  }
}
