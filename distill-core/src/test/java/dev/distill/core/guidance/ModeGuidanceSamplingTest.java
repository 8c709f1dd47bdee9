package dev.distill.core.guidance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.api.Conditioning;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.core.data.FashionMnist;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.model.BuiltinModel;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.core.tensor.Threads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mode guidance on the real built-in sampler (the shipped Fashion-MNIST model, whose latents are
 * its pixels): it pulls each sample toward its own mode, its stop step switches it off, and a
 * nearest-real target (a real training image) is approached as closely as a centroid.
 */
class ModeGuidanceSamplingTest {
  private static final int CLASS = 0; // T-shirt/top
  private static final int N = 6;
  private static final int STEPS = 20;
  private static final double GAMMA = 0.3;
  private static BuiltinModel model;
  private static LabeledImages train;

  @BeforeAll
  static void load() throws Exception {
    Threads.set(1);
    model = BuiltinModel.fashionMnist();
    train = FashionMnist.train();
  }

  @AfterAll
  static void close() {
    train.close();
    model.close();
  }

  /** Samples N images of the class with seeds 200.. and the term (or none); the caller's scope. */
  private static Tensor sample(GuidanceTerm term) {
    List<Long> seeds = new ArrayList<>();
    for (long s = 0; s < N; s++) {
      seeds.add(200 + s);
    }
    SampleRequest.Builder b =
        SampleRequest.builder(Collections.nCopies(N, Conditioning.ofClass(CLASS)))
            .seeds(seeds)
            .numSteps(STEPS)
            .guidanceScale(2.0);
    if (term != null) {
      b.guidance(term);
    }
    try (SampleResult r = model.sampler().sample(b.build())) {
      return r.images().clone();
    }
  }

  /** Mean over samples of the RMS distance between image i and mode i. */
  private static double distance(Tensor images, Tensor modes) {
    return images.sub(modes).square().flatten(1, -1).mean(1).sqrt().mean().item_double();
  }

  /** Mean over samples of the RMS distance to each image's nearest row of {@code pool}. */
  private static double nearestDistance(Tensor images, Tensor pool) {
    Tensor d = torch.cdist(images.flatten(1, -1), pool.flatten(1, -1));
    double pixels = images.size(1) * images.size(2) * images.size(3);
    return d.min(1).get0().div(Tensors.scalar(Math.sqrt(pixels))).mean().item_double();
  }

  @Test
  void guidancePullsEachSampleTowardItsOwnModeUntilTheStopStep() {
    try (TensorScope s = TensorScope.open()) {
      // modes: N real training images of the class, one per sample
      Tensor modes = train.load(CLASS, 0, N);
      double unguided = distance(sample(null), modes);
      double toTheEnd =
          distance(sample(ModeGuidance.of(modes, Schedules.pullFraction(GAMMA), STEPS)), modes);
      double half =
          distance(sample(ModeGuidance.of(modes, Schedules.pullFraction(GAMMA), STEPS / 2)), modes);
      // the same modes, shifted by one: sample i is pulled toward mode i+1, not its own
      Tensor shifted = torch.roll(modes, new long[] {1}, new long[] {0});
      double crossed =
          distance(sample(ModeGuidance.of(shifted, Schedules.pullFraction(GAMMA), STEPS)), modes);
      System.out.printf(
          "RMS distance to own mode: unguided %.4f, stop at %d %.4f, to the end %.4f, pulled to"
              + " another mode %.4f%n",
          unguided, STEPS / 2, half, toTheEnd, crossed);
      assertThat(toTheEnd).isLessThan(unguided * 0.5);
      assertThat(half).isLessThan(unguided).isGreaterThan(toTheEnd);
      assertThat(crossed).isGreaterThan(toTheEnd * 1.5);
    }
  }

  @Test
  void aStopStepOfZeroIsExactlyUnguided() {
    try (TensorScope s = TensorScope.open()) {
      Tensor modes = train.load(CLASS, 0, N);
      ModeGuidance stopped = ModeGuidance.of(modes, Schedules.pullFraction(0.5), 0);
      Tensor plain = sample(null);
      Tensor guided = sample(stopped);
      assertThat(guided.sub(plain).abs().max().item_double()).isZero();
    }
  }

  @Test
  void aNearestRealTargetIsApproachedAsTheCentroidIs() {
    try (TensorScope s = TensorScope.open()) {
      Tensor pool = train.load(CLASS, 0, 200);
      // the CoDA variant targets real images; the plain variant a centroid that is no image
      Tensor real = pool.narrow(0, 10, N);
      Tensor centroid =
          pool.narrow(0, 0, 100)
              .mean(new long[] {0}, true, new org.bytedeco.pytorch.ScalarTypeOptional())
              .expand(Tensors.shape(real));
      double unguidedNearest = nearestDistance(sample(null), pool);
      Tensor towardReal = sample(ModeGuidance.of(real, Schedules.pullFraction(GAMMA), STEPS));
      Tensor towardCentroid =
          sample(ModeGuidance.of(centroid.contiguous(), Schedules.pullFraction(GAMMA), STEPS));
      double realNearest = nearestDistance(towardReal, pool);
      System.out.printf(
          "RMS distance to the nearest of 200 real images: unguided %.4f, toward real %.4f;"
              + " to own target: real %.4f, centroid %.4f%n",
          unguidedNearest,
          realNearest,
          distance(towardReal, real),
          distance(towardCentroid, centroid));
      assertThat(realNearest).isLessThan(unguidedNearest * 0.5);
      assertThat(distance(towardReal, real)).isLessThan(distance(sample(null), real) * 0.5);
      assertThat(distance(towardCentroid, centroid))
          .isLessThan(distance(sample(null), centroid) * 0.5);
    }
  }
}
