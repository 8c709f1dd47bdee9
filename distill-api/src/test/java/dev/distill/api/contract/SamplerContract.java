package dev.distill.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.DistillException;
import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.Progress;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.api.StepInfo;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Sampler} honours; an implementation's test subclasses it and supplies a
 * small sampler (a tiny model, a few steps).
 *
 * <p>Checked: output shapes and range; same seed ⇒ same images; per-sample seeds independent of the
 * batch composition; different seeds ⇒ different images; a guidance term with strength 0, or
 * inactive at every step, leaves the images as without it (and an inactive term is never asked for
 * its loss); an active term changes them; the guidance context reports every step in order with the
 * request's conditionings; a guidance term whose gradient is NaN raises {@link DistillException}
 * whose message contains {@code "step <index>"} (the 0-based {@link StepInfo#index()}); progress
 * reaches the total; the model id is not blank; {@link Sampler#imageSize()} and {@link
 * Sampler#imageChannels()} describe the default images ({@link #expectedImageShape()}), {@link
 * Sampler#checkImageSize} accepts {@code imageSize()}, and a request at that size gives images of
 * that size; a size {@code checkImageSize} rejects (see {@link #unsupportedImageSize()}) is also
 * rejected by {@code sample} with {@link IllegalArgumentException}; the subclass's {@link Covers}
 * names the class it creates.
 *
 * <p>Each test runs inside a JavaCPP {@link PointerScope} that frees what the test allocated.
 * Samplers that are {@link AutoCloseable} are closed after each test.
 */
public abstract class SamplerContract {
  private Sampler sampler;
  private PointerScope scope;

  /**
   * Creates the sampler under test (called once per test).
   *
   * @return a new sampler
   */
  protected abstract Sampler createSampler();

  /**
   * A valid conditioning for sample {@code index} (a class id for class-conditional models, a
   * prompt for text models); different indices should give different conditionings where the model
   * allows.
   *
   * @param index the sample index, 0..3
   * @return the conditioning
   */
  protected abstract Conditioning conditioning(int index);

  /**
   * The {@code [C, H, W]} of the images the sampler produces by default.
   *
   * @return the expected image shape
   */
  protected abstract long[] expectedImageShape();

  /** The number of steps of the contract's runs; small, at least 3. */
  protected int numSteps() {
    return 3;
  }

  /** The tolerance when the same sample is computed within a different batch. */
  protected double batchTolerance() {
    return 1e-4;
  }

  /** The tolerance for "the same as unguided" (a zero-strength or inactive guidance term). */
  protected double guidanceTolerance() {
    return 1e-5;
  }

  /**
   * A generation size the sampler does not support (default: one pixel taller and wider than {@link
   * Sampler#imageSize()}), or empty if it supports every size.
   *
   * @return the size, or empty
   */
  protected Optional<ImageSize> unsupportedImageSize() {
    ImageSize own = sampler.imageSize();
    return Optional.of(ImageSize.of(own.height() + 1, own.width() + 1));
  }

  /** The strength of the guidance term that must visibly change the images. */
  protected double visibleGuidanceStrength() {
    return 1.0;
  }

  @BeforeEach
  final void openSamplerAndScope() {
    scope = new PointerScope();
    sampler = createSampler();
  }

  @AfterEach
  final void closeSamplerAndScope() throws Exception {
    try {
      if (sampler instanceof AutoCloseable c) {
        c.close();
      }
    } finally {
      scope.close();
    }
  }

  /** The sampler of the current test. */
  protected final Sampler sampler() {
    return sampler;
  }

  /**
   * A request builder for samples {@code indices} with seeds {@code seeds}.
   *
   * @param indices conditioning indices
   * @param seeds one seed per index
   * @return the builder, with {@link #numSteps()} set
   */
  protected final SampleRequest.Builder request(List<Integer> indices, List<Long> seeds) {
    List<Conditioning> cs = indices.stream().map(this::conditioning).toList();
    return SampleRequest.builder(cs).seeds(seeds).numSteps(numSteps());
  }

  private Tensor images(SampleRequest request) {
    SampleResult r = sampler.sample(request);
    // the result's tensors are owned by the caller: hand them to this test's scope
    Tensor images = r.images().clone();
    r.close();
    return images;
  }

  @Test
  public void imagesAndLatentsHaveTheBatchShapeAndRange() {
    long[] chw = expectedImageShape();
    try (SampleResult r = sampler.sample(request(List.of(0, 1), List.of(1L, 2L)).build())) {
      assertThat(ContractTensors.shape(r.images())).containsExactly(2, chw[0], chw[1], chw[2]);
      assertThat(r.images().scalar_type().value).isEqualTo(ScalarType.Float.value);
      assertThat(r.images().is_cpu()).isTrue();
      assertThat(ContractTensors.allFinite(r.images())).isTrue();
      float[] v = ContractTensors.toFloats(r.images());
      for (float x : v) {
        assertThat(x).isBetween(-1f, 1f);
      }
      assertThat(r.latents().dim()).isEqualTo(4);
      assertThat(r.latents().size(0)).isEqualTo(2);
      assertThat(r.latents().scalar_type().value).isEqualTo(ScalarType.Float.value);
      assertThat(ContractTensors.allFinite(r.latents())).isTrue();
    }
  }

  @Test
  public void sameSeedGivesTheSameImages() {
    SampleRequest req = request(List.of(0, 1), List.of(7L, 8L)).build();
    Tensor a = images(req);
    Tensor b = images(req);
    assertThat(ContractTensors.maxAbsDiff(a, b)).isZero();
  }

  @Test
  public void differentSeedsGiveDifferentImages() {
    Tensor a = images(request(List.of(0), List.of(1L)).build());
    Tensor b = images(request(List.of(0), List.of(2L)).build());
    assertThat(ContractTensors.maxAbsDiff(a, b)).isGreaterThan(1e-3);
  }

  @Test
  public void perSampleSeedsAreIndependentOfBatchComposition() {
    Tensor pair = images(request(List.of(0, 1), List.of(11L, 22L)).build());
    Tensor alone = images(request(List.of(1), List.of(22L)).build());
    Tensor otherPair = images(request(List.of(1, 2), List.of(22L, 33L)).build());
    assertThat(ContractTensors.maxAbsDiff(pair.get(1), alone.get(0)))
        .as("sample (cond 1, seed 22) in a pair vs alone")
        .isLessThanOrEqualTo(batchTolerance());
    assertThat(ContractTensors.maxAbsDiff(pair.get(1), otherPair.get(0)))
        .as("sample (cond 1, seed 22) at batch index 1 vs 0")
        .isLessThanOrEqualTo(batchTolerance());
  }

  /** A term pulling the latents towards zero; depends on z_t only, so it works in any mode. */
  private static Tensor pullToZero(GuidanceContext ctx) {
    return ctx.latents().square().sum();
  }

  @Test
  public void zeroStrengthGuidanceEqualsUnguided() {
    GuidanceTerm zero =
        new GuidanceTerm() {
          @Override
          public Tensor loss(GuidanceContext ctx) {
            return pullToZero(ctx);
          }

          @Override
          public double strength(StepInfo step) {
            return 0.0;
          }
        };
    Tensor plain = images(request(List.of(0, 1), List.of(3L, 4L)).build());
    Tensor guided = images(request(List.of(0, 1), List.of(3L, 4L)).guidance(zero).build());
    assertThat(ContractTensors.maxAbsDiff(plain, guided)).isLessThanOrEqualTo(guidanceTolerance());
  }

  @Test
  public void inactiveGuidanceEqualsUnguidedAndIsNeverEvaluated() {
    int[] calls = {0};
    GuidanceTerm inactive =
        new GuidanceTerm() {
          @Override
          public Tensor loss(GuidanceContext ctx) {
            calls[0]++;
            return pullToZero(ctx);
          }

          @Override
          public boolean active(StepInfo step) {
            return false;
          }
        };
    Tensor plain = images(request(List.of(0), List.of(5L)).build());
    Tensor guided = images(request(List.of(0), List.of(5L)).guidance(inactive).build());
    assertThat(calls[0]).isZero();
    assertThat(ContractTensors.maxAbsDiff(plain, guided)).isLessThanOrEqualTo(guidanceTolerance());
  }

  @Test
  public void activeGuidanceChangesTheImages() {
    double s = visibleGuidanceStrength();
    GuidanceTerm pull =
        new GuidanceTerm() {
          @Override
          public Tensor loss(GuidanceContext ctx) {
            return pullToZero(ctx);
          }

          @Override
          public double strength(StepInfo step) {
            return s;
          }
        };
    Tensor plain = images(request(List.of(0), List.of(6L)).build());
    Tensor guided = images(request(List.of(0), List.of(6L)).guidance(pull).build());
    assertThat(ContractTensors.maxAbsDiff(plain, guided)).isGreaterThan(1e-4);
  }

  @Test
  public void guidanceSeesEveryStepInOrderWithTheRequestConditionings() {
    List<StepInfo> steps = new ArrayList<>();
    List<List<Conditioning>> seen = new ArrayList<>();
    List<long[]> latentShapes = new ArrayList<>();
    GuidanceTerm spy =
        ctx -> {
          steps.add(ctx.step());
          seen.add(ctx.conditionings());
          latentShapes.add(ContractTensors.shape(ctx.latents()));
          return pullToZero(ctx).mul(new Scalar(0.0));
        };
    SampleRequest req = request(List.of(0, 1), List.of(1L, 2L)).guidance(spy).build();
    images(req);
    assertThat(steps)
        .extracting(StepInfo::index)
        .containsExactlyElementsOf(IntStream.range(0, steps.size()).boxed().toList());
    assertThat(steps).hasSize(numSteps());
    assertThat(steps).allSatisfy(s -> assertThat(s.numSteps()).isEqualTo(numSteps()));
    assertThat(seen).allSatisfy(c -> assertThat(c).isEqualTo(req.conditionings()));
    assertThat(latentShapes).allSatisfy(s -> assertThat(s[0]).isEqualTo(2));
  }

  @Test
  public void nanGuidanceRaisesDistillExceptionNamingTheStep() {
    GuidanceTerm nanAtStepOne =
        ctx -> {
          Tensor loss = pullToZero(ctx);
          return ctx.step().index() == 1
              ? loss.mul(new Scalar(Double.NaN))
              : loss.mul(new Scalar(0.0));
        };
    SampleRequest req = request(List.of(0), List.of(9L)).guidance(nanAtStepOne).build();
    assertThatThrownBy(() -> sampler.sample(req))
        .isInstanceOf(DistillException.class)
        .hasMessageContaining("step 1");
  }

  @Test
  public void progressReachesTheTotal() {
    List<Progress> events = new ArrayList<>();
    try (SampleResult r = sampler.sample(request(List.of(0), List.of(1L)).build(), events::add)) {
      assertThat(events).hasSizeGreaterThanOrEqualTo(numSteps());
      Progress last = events.get(events.size() - 1);
      assertThat(last.done()).isEqualTo(last.total());
      for (int i = 1; i < events.size(); i++) {
        if (events.get(i).stage().equals(events.get(i - 1).stage())) {
          assertThat(events.get(i).done()).isGreaterThanOrEqualTo(events.get(i - 1).done());
        }
      }
    }
  }

  @Test
  public void identifiesItsModelAndLatentEncoder() {
    assertThat(sampler.modelId()).isNotBlank();
    assertThat(sampler.latentEncoder()).isNotNull();
  }

  @Test
  public void createsTheImplementationItCovers() {
    ContractCoverage.assertCovers(getClass(), sampler);
  }

  @Test
  public void imageSizeAndChannelsDescribeTheDefaultImages() {
    ImageSize size = sampler.imageSize();
    assertThat(size).isNotNull();
    assertThat(sampler.imageChannels()).isPositive();
    assertThat(expectedImageShape())
        .as("expectedImageShape() vs imageChannels() and imageSize()")
        .containsExactly(sampler.imageChannels(), size.height(), size.width());
    sampler.checkImageSize(size);
    SampleRequest req = request(List.of(0), List.of(1L)).imageSize(size).build();
    try (SampleResult r = sampler.sample(req)) {
      assertThat(ContractTensors.shape(r.images()))
          .containsExactly(1, sampler.imageChannels(), size.height(), size.width());
    }
  }

  @Test
  public void aSizeThatCheckImageSizeRejectsIsRejectedBySampling() {
    Optional<ImageSize> unsupported = unsupportedImageSize();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        unsupported.isPresent(), "the sampler supports every size");
    ImageSize bad = unsupported.get();
    assertThatThrownBy(() -> sampler.checkImageSize(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(bad.toString());
    SampleRequest req = request(List.of(0), List.of(1L)).imageSize(bad).build();
    assertThatThrownBy(() -> sampler.sample(req).close())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  public void aLayoutIsReadOrRefusedNeverIgnored() {
    ImageSize size = sampler.imageSize();
    ImageAnnotations layout =
        ImageAnnotations.of(
            size.width(),
            size.height(),
            List.of(
                new ObjectAnnotation(
                    1,
                    BoundingBox.of(0, 0, size.width() / 2.0, size.height() / 2.0),
                    Optional.empty())));
    SampleRequest plain = request(List.of(0), List.of(5L)).build();
    SampleRequest withLayout =
        SampleRequest.builder(List.of(conditioning(0).withLayout(layout)))
            .seeds(List.of(5L))
            .numSteps(numSteps())
            .build();
    if (sampler.layoutConditioned()) {
      assertThat(ContractTensors.maxAbsDiff(images(plain), images(withLayout)))
          .as("a layout-conditioned sampler's images with and without a layout")
          .isGreaterThan(1e-4);
    } else {
      assertThatThrownBy(() -> sampler.sample(withLayout).close())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("layout");
    }
  }
}
