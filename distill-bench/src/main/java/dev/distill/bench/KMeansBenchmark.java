package dev.distill.bench;

import dev.distill.core.cluster.KMeans;
import dev.distill.core.cluster.KMeansConfig;
import dev.distill.core.cluster.KMeansResult;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Threads;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Tensor;
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
 * k-means on latents as D4M uses it: N latents of shape 4×32×32 (the sdxl-tiny latent size; D =
 * 4096), k = 10 clusters, 1 restart, at most 50 iterations.
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
public class KMeansBenchmark {
  @Param({"200", "1000"})
  public int n;

  private Tensor data;
  private KMeans kmeans;

  @Setup(Level.Trial)
  public void setUp() {
    Threads.set(TinyPipelineState.threads());
    try (TensorScope sc = TensorScope.open()) {
      data = sc.detach(Rng.normal(11, n, 4, 32, 32));
    }
    kmeans = KMeans.of(KMeansConfig.builder(10).restarts(1).maxIterations(50).seed(0).build());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    data.close();
  }

  @Benchmark
  public double fit() {
    try (TensorScope sc = TensorScope.open();
        KMeansResult r = kmeans.fit(data)) {
      return r.centroids().sum().item_double();
    }
  }
}
