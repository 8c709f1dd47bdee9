package dev.distill.bench;

import dev.distill.api.ProgressListener;
import dev.distill.core.eval.ClassifierTrainer;
import dev.distill.core.eval.TopKAccuracy;
import dev.distill.core.eval.TrainConfig;
import dev.distill.core.match.HardLabelMatcher;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
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
 * One student training step and one test-set evaluation pass as {@code ClassificationEvaluator}
 * runs them: ConvNet-3 (instance norm) of width 32 ({@code EvalProtocol.quick()}) or 128 ({@code
 * EvalProtocol.defaults()}) on Fashion-MNIST-shaped inputs (1×28×28, 10 classes, random values),
 * SGD 0.01/0.9/5e-4, DSA {@code color_crop_cutout_flip_scale_rotate}, hard labels.
 *
 * <p>{@link #trainStep} is {@link ClassifierTrainer#train} for one epoch over 256 images (batch
 * 256: one step of forward, loss, backward, SGD step and DSA, plus the per-phase optimiser set-up
 * and device copy, which the real run pays twice per 1000 epochs). {@link #evaluate} is {@link
 * ClassifierTrainer#accuracy(dev.distill.core.nn.ImageClassifier, Tensor, Tensor, int)} on 1000
 * images at the protocol's test batch size (100).
 */
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx4g",
      "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
      "-Dorg.bytedeco.javacpp.maxBytes=0"
    })
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StudentTrainingBenchmark {
  private static final int BATCH = 256;
  private static final int TEST_IMAGES = 1000;
  private static final int TEST_BATCH = 100;

  @Param({"32", "128"})
  public int width;

  private ConvNet net;
  private Tensor images;
  private Tensor labels;
  private Tensor testImages;
  private Tensor testLabels;
  private ClassifierTrainer trainer;
  private long seed;

  @Setup(Level.Trial)
  public void setUp() {
    Threads.set(TinyPipelineState.threads());
    net = ConvNet.of(ConvNetConfig.of(1, 28, 28, 10).withNetWidth(width), 0);
    try (TensorScope sc = TensorScope.open()) {
      images = sc.detach(Rng.normal(1, BATCH, 1, 28, 28));
      labels = sc.detach(Tensors.fromLongs(labelsOf(BATCH), BATCH));
      testImages = sc.detach(Rng.normal(2, TEST_IMAGES, 1, 28, 28));
      testLabels = sc.detach(Tensors.fromLongs(labelsOf(TEST_IMAGES), TEST_IMAGES));
    }
    trainer = ClassifierTrainer.of(TrainConfig.dsaEvaluation().withEpochs(1));
  }

  private static long[] labelsOf(int n) {
    long[] l = new long[n];
    for (int i = 0; i < n; i++) {
      l[i] = i % 10;
    }
    return l;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    net.close();
    images.close();
    labels.close();
    testImages.close();
    testLabels.close();
  }

  @Benchmark
  public double trainStep() {
    return trainer
        .train(net, images, labels, HardLabelMatcher.of(), seed++, ProgressListener.NONE, "bench")
        .finalLoss();
  }

  @Benchmark
  public TopKAccuracy evaluate() {
    return ClassifierTrainer.accuracy(net, testImages, testLabels, TEST_BATCH);
  }
}
