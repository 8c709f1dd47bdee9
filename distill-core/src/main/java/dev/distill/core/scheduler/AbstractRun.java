package dev.distill.core.scheduler;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The index bookkeeping every run shares: timesteps, begin index, step index, argument checks and
 * the scope around each step. Subclasses supply the formulas.
 */
abstract class AbstractRun implements SchedulerRun {
  private final List<Double> timesteps;
  private int stepIndex;
  private boolean stepped;
  private boolean closed;

  AbstractRun(double[] timesteps) {
    List<Double> list = new ArrayList<>(timesteps.length);
    for (double t : timesteps) {
      list.add(t);
    }
    this.timesteps = Collections.unmodifiableList(list);
  }

  @Override
  public final List<Double> timesteps() {
    return timesteps;
  }

  @Override
  public final int numSteps() {
    return timesteps.size() - stepIndex;
  }

  @Override
  public final void setBeginIndex(int index) {
    checkState(!stepped, "setBeginIndex must be called before the first step but %s steps were taken",
        stepIndex);
    checkArgument(
        index >= 0 && index < timesteps.size(),
        "begin index must be in [0, %s) but was %s",
        timesteps.size(),
        index);
    stepIndex = index;
  }

  @Override
  public final int stepIndex() {
    return stepIndex;
  }

  @Override
  public final Tensor scaleModelInput(Tensor sample) {
    checkNotNull(sample, "sample");
    int i = activeIndex();
    try (TensorScope scope = TensorScope.open()) {
      Tensor scaled = scale(sample, i);
      return scaled == sample ? sample : scope.keep(scaled);
    }
  }

  @Override
  public final Tensor predictOriginal(Tensor modelOutput, Tensor sample) {
    checkInputs(modelOutput, sample, "sample");
    int i = activeIndex();
    try (TensorScope scope = TensorScope.open()) {
      return scope.keep(original(modelOutput, sample, i));
    }
  }

  @Override
  public final StepOutput step(Tensor modelOutput, Tensor sample, NoiseSource noise) {
    checkInputs(modelOutput, sample, "sample");
    checkNotNull(noise, "noise");
    int i = activeIndex();
    StepOutput out;
    try (TensorScope scope = TensorScope.open()) {
      StepOutput raw = step(modelOutput, sample, noise, i);
      out = new StepOutput(scope.keep(raw.prevSample()), scope.keep(raw.predOriginalSample()));
    }
    stepped = true;
    stepIndex++;
    return out;
  }

  @Override
  public final Tensor addNoise(Tensor original, Tensor noise, int index) {
    checkInputs(original, noise, "noise");
    checkArgument(
        index >= 0 && index < timesteps.size(),
        "index must be in [0, %s) but was %s",
        timesteps.size(),
        index);
    try (TensorScope scope = TensorScope.open()) {
      return scope.keep(noised(original, noise, index));
    }
  }

  @Override
  public final double sigma(int index) {
    checkLevelIndex(index);
    return levelSigma(index);
  }

  @Override
  public final double alphaBar(int index) {
    checkLevelIndex(index);
    return levelAlphaBar(index);
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      release();
    }
  }

  /** Frees what the run owns; called once by {@link #close()}. */
  void release() {}

  /** The input scaling at step {@code i} (may return {@code sample} itself). */
  abstract Tensor scale(Tensor sample, int i);

  /** x̂0 at step {@code i}, differentiable. */
  abstract Tensor original(Tensor modelOutput, Tensor sample, int i);

  /** The step at index {@code i}; the returned tensors are kept by the caller's scope. */
  abstract StepOutput step(Tensor modelOutput, Tensor sample, NoiseSource noise, int i);

  /** add_noise at the timestep of index {@code i}. */
  abstract Tensor noised(Tensor original, Tensor noise, int i);

  /** VE sigma at level index {@code i} in {@code [0, n]}. */
  abstract double levelSigma(int i);

  /** VP alpha-bar at level index {@code i}; by default from {@link #levelSigma}. */
  double levelAlphaBar(int i) {
    double s = levelSigma(i);
    return 1 / (1 + s * s);
  }

  private int activeIndex() {
    checkState(!closed, "run must be open but was closed");
    checkState(
        stepIndex < timesteps.size(),
        "step index must be < %s (the number of timesteps) but was %s: all steps were taken",
        timesteps.size(),
        stepIndex);
    return stepIndex;
  }

  private void checkLevelIndex(int index) {
    checkArgument(
        index >= 0 && index <= timesteps.size(),
        "index must be in [0, %s] but was %s",
        timesteps.size(),
        index);
  }

  private static void checkInputs(Tensor a, Tensor b, String bName) {
    checkNotNull(a, "modelOutput");
    checkNotNull(b, bName);
    checkArgument(
        a.is_same_size(b),
        "%s must have the shape of the first argument %s but had %s",
        bName,
        Arrays.toString(Tensors.shape(a)),
        Arrays.toString(Tensors.shape(b)));
  }

  /** A float32 scalar (the value is already a float, so the double carries it exactly). */
  static Scalar f32(float value) {
    return new Scalar((double) value);
  }

  /** Float32 square root, correctly rounded as torch's {@code ** 0.5}. */
  static float sqrt(float x) {
    return (float) Math.sqrt(x);
  }
}
