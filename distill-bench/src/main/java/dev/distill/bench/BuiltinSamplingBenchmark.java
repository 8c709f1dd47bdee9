package dev.distill.bench;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Sampling with the built-in Fashion-MNIST model (28×28): a batch of 10 images (one per class), 10
 * steps, CFG scale 2; reported in images per second.
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
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BuiltinSamplingBenchmark {
  private static final int BATCH = 10;

  @Param({"10"})
  public int numSteps;

  private BuiltinModel model;
  private Sampler sampler;
  private SampleRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    Threads.set(TinyPipelineState.threads());
    model = BuiltinModel.fashionMnist();
    sampler = model.sampler();
    List<Conditioning> conds = new ArrayList<>();
    for (int c = 0; c < BATCH; c++) {
      conds.add(Conditioning.ofClass(c));
    }
    request = SampleRequest.builder(conds).numSteps(numSteps).guidanceScale(2.0).build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public double sample() {
    try (TensorScope sc = TensorScope.open();
        SampleResult r = sampler.sample(request)) {
      return r.images().sum().item_double();
    }
  }
}
