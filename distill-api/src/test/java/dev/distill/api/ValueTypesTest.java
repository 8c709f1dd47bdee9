package dev.distill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.api.contract.ContractTensors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The validation and immutability of distill-api's value types. */
class ValueTypesTest {
  private PointerScope scope;

  @BeforeEach
  void open() {
    scope = new PointerScope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static void assertRejected(Runnable r, String message) {
    assertThatThrownBy(r::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void conditioningRejectsClassIdsBelowMinusOne() {
    assertRejected(() -> new Conditioning(-2, "", ""), "classId must be >= -1 but was -2");
    assertRejected(() -> Conditioning.ofClass(-1), "classId must be >= 0 but was -1");
    assertThat(Conditioning.ofPrompt("x").hasClass()).isFalse();
    assertThat(Conditioning.of(3, "x").hasClass()).isTrue();
    assertThat(Conditioning.ofClass(3).layout()).isEmpty();
    ImageAnnotations layout = ImageAnnotations.of(8, 8, List.of());
    Conditioning withLayout = Conditioning.ofClass(3).withLayout(layout).withNegativePrompt("n");
    assertThat(withLayout.layout()).contains(layout);
    assertThat(withLayout.classId()).isEqualTo(3);
    SampleRequest refused =
        SampleRequest.builder(List.of(Conditioning.ofClass(0), withLayout)).build();
    assertThatThrownBy(() -> refused.requireNoLayouts("ToyModel"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "ToyModel is not layout-conditioned: conditionings[1] must have no layout but had one");
    SampleRequest.builder(List.of(Conditioning.ofClass(0))).build().requireNoLayouts("ToyModel");
  }

  @Test
  void stepInfoRejectsOutOfRangeComponents() {
    assertRejected(() -> new StepInfo(0, 0, 1, 1, 0.5), "numSteps must be > 0 but was 0");
    assertRejected(() -> new StepInfo(3, 3, 1, 1, 0.5), "index must be in [0, 3) but was 3");
    assertRejected(() -> new StepInfo(-1, 3, 1, 1, 0.5), "index must be in [0, 3) but was -1");
    assertRejected(
        () -> new StepInfo(0, 3, Double.NaN, 1, 0.5),
        "timestep must be finite and >= 0 but was NaN");
    assertRejected(
        () -> new StepInfo(0, 3, 1, -0.1, 0.5), "sigma must be finite and >= 0 but was -0.1");
    assertRejected(
        () -> new StepInfo(0, 3, 1, Double.NaN, 0.5), "sigma must be finite and >= 0 but was NaN");
    assertRejected(
        () -> new StepInfo(0, 3, 1, Double.POSITIVE_INFINITY, 0.5),
        "sigma must be finite and >= 0 but was Infinity");
    assertRejected(() -> new StepInfo(0, 3, 1, 1, 0), "alphaBar must be in (0, 1] but was 0.0");
    assertRejected(() -> new StepInfo(0, 3, 1, 1, 1.5), "alphaBar must be in (0, 1] but was 1.5");
    assertThat(new StepInfo(1, 4, 1, 1, 1).progress()).isEqualTo(0.25);
  }

  @Test
  void progressRejectsDoneOutsideZeroToTotal() {
    assertRejected(() -> new Progress("s", 0, 0, ""), "total must be > 0 but was 0");
    assertRejected(() -> new Progress("s", 5, 4, ""), "done must be in [0, 4] but was 5");
    assertRejected(() -> new Progress("s", -1, 4, ""), "done must be in [0, 4] but was -1");
    assertThat(new Progress("s", 1, 4, "").fraction()).isEqualTo(0.25);
  }

  @Test
  void metricSummaryNeedsValuesAndSummarisesThem() {
    assertRejected(() -> new MetricSummary(List.of()), "values must not be empty but was []");
    MetricSummary m = new MetricSummary(List.of(1.0, 2.0, 3.0));
    assertThat(m.mean()).isEqualTo(2.0);
    assertThat(m.std()).isEqualTo(1.0);
    assertThat(m.format(1)).isEqualTo("2.0 ± 1.0");
    assertThat(new MetricSummary(List.of(5.0)).std()).isZero();
    assertRejected(() -> m.format(-1), "decimals must be >= 0 but was -1");
  }

  @Test
  void evalReportCopiesItsMapsAndNamesUnknownMetrics() {
    Map<String, MetricSummary> metrics =
        new HashMap<>(Map.of("top1", new MetricSummary(List.of(80.0))));
    Map<String, String> protocol = new HashMap<>(Map.of("epochs", "300"));
    EvalReport r = new EvalReport("convnet3", "hard", metrics, protocol);
    metrics.clear();
    protocol.clear();
    assertThat(r.metrics()).containsKey("top1");
    assertThat(r.protocol()).containsEntry("epochs", "300");
    assertThatThrownBy(() -> r.metrics().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThat(r.metric("top1").mean()).isEqualTo(80.0);
    assertRejected(() -> r.metric("top5"), "metric must be one of [top1] but was top5");
  }

  @Test
  void runProvenanceCopiesItsConfig() {
    Map<String, String> config = new HashMap<>(Map.of("ipc", "10"));
    RunProvenance p = new RunProvenance("d4m", config, 1, "", "0.1.0", Instant.EPOCH);
    config.put("ipc", "50");
    assertThat(p.config()).containsEntry("ipc", "10");
    assertThatThrownBy(() -> p.config().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void metricSummaryCopiesItsValues() {
    List<Double> values = new ArrayList<>(List.of(1.0));
    MetricSummary m = new MetricSummary(values);
    values.add(2.0);
    assertThat(m.values()).containsExactly(1.0);
  }

  @Test
  void initLatentsNeedFourDimsAndAStrengthInZeroToOne() {
    Tensor four = ContractTensors.fromFloats(new float[4], 1, 1, 2, 2);
    Tensor three = ContractTensors.fromFloats(new float[4], 1, 2, 2);
    assertRejected(() -> new InitLatents(four, 0), "strength must be in (0, 1] but was 0.0");
    assertRejected(() -> new InitLatents(four, 1.01), "strength must be in (0, 1] but was 1.01");
    assertRejected(
        () -> new InitLatents(four, Double.NaN), "strength must be in (0, 1] but was NaN");
    assertRejected(
        () -> new InitLatents(three, 0.5), "latents must have 4 dims [N, C, h, w] but had 3");
    assertThat(new InitLatents(four, 1.0).strength()).isEqualTo(1.0);
  }

  @Test
  void sampleRequestBuilderValidatesAtOnceAndDerivesSeeds() {
    List<Conditioning> two = List.of(Conditioning.ofClass(0), Conditioning.ofClass(1));
    assertRejected(
        () -> SampleRequest.builder(List.of()), "conditionings must not be empty but was []");
    assertRejected(() -> SampleRequest.builder(two).numSteps(0), "numSteps must be >= 1 but was 0");
    assertRejected(
        () -> SampleRequest.builder(two).guidanceScale(Double.NaN),
        "guidanceScale must be finite and >= 0 but was NaN");
    assertRejected(
        () -> SampleRequest.builder(two).guidanceScale(-1),
        "guidanceScale must be finite and >= 0 but was -1.0");
    assertRejected(
        () -> SampleRequest.builder(two).imageSize(0, 8), "height must be > 0 but was 0");
    assertRejected(
        () -> SampleRequest.builder(two).seeds(List.of(1L)).build(),
        "seeds must have one entry per conditioning (2) but had 1");
    Tensor oneLatent = ContractTensors.fromFloats(new float[4], 1, 1, 2, 2);
    assertRejected(
        () -> SampleRequest.builder(two).init(new InitLatents(oneLatent, 0.5)).build(),
        "init latents must have batch size 2 (one per conditioning) but had 1");

    SampleRequest r = SampleRequest.builder(two).seed(40).numSteps(4).build();
    assertThat(r.seeds()).containsExactly(40L, 41L);
    assertThat(r.batchSize()).isEqualTo(2);
    assertThat(r.guidanceTerms()).isEmpty();
    assertThat(r.init()).isEmpty();
    assertThat(r.gradientMode()).isEqualTo(GradientMode.DECODER_ONLY);
    assertThatThrownBy(() -> r.seeds().add(1L)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void distilledSetChecksLabelsAndSoftLabelShapes() {
    RunProvenance p = new RunProvenance("random-real", Map.of(), 0, "", "0.1.0", Instant.EPOCH);
    Tensor images = ContractTensors.fromFloats(new float[2 * 4], 2, 1, 2, 2);
    assertRejected(
        () -> new DistilledSet(images, List.of(0), null, List.of("a", "b"), p),
        "labels must have one entry per image (2) but had 1");
    assertRejected(
        () -> new DistilledSet(images, List.of(0, 2), null, List.of("a", "b"), p),
        "labels must be in [0, 2) but contained 2");
    Tensor soft = ContractTensors.fromFloats(new float[2 * 3], 2, 3);
    assertThatThrownBy(() -> new DistilledSet(images, List.of(0, 1), soft, List.of("a", "b"), p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("softLabels must have shape [2, 2]");
    Tensor flat = ContractTensors.fromFloats(new float[8], 8);
    assertThatThrownBy(() -> new DistilledSet(flat, List.of(0, 1), null, List.of("a", "b"), p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("images must have shape [N, C, H, W]");
  }

  @Test
  void distilledSetCarriesAnnotationsOfItsImagesSize() {
    RunProvenance p = new RunProvenance("unidd", Map.of(), 0, "", "0.1.0", Instant.EPOCH);
    Tensor images = ContractTensors.fromFloats(new float[2 * 2 * 3], 2, 1, 2, 3);
    List<Category> cats = List.of(Category.of(1, "a"));
    ImageAnnotations threeByTwo =
        ImageAnnotations.of(3, 2, List.of(ObjectAnnotation.of(1, BoundingBox.of(0, 0, 3, 2))));
    ImageAnnotations twoByThree = ImageAnnotations.of(2, 3, List.of());
    assertRejected(
        () ->
            new DistilledSet(
                images, List.of(0, 0), null, List.of("a"), p, AnnotationSet.of(cats, List.of())),
        "annotations must have one entry per image (2) but had 0");
    assertRejected(
        () ->
            new DistilledSet(
                images,
                List.of(0, 0),
                null,
                List.of("a"),
                p,
                AnnotationSet.of(cats, List.of(threeByTwo, twoByThree))),
        "annotations of image 1 must be for a 3x2 (width x height) image but were for 2x3");
    AnnotationSet ok = AnnotationSet.of(cats, List.of(threeByTwo, threeByTwo));
    DistilledSet set = new DistilledSet(images, List.of(0, 0), null, List.of("a"), p, ok);
    assertThat(set.annotations()).contains(ok);
    assertThat(new DistilledSet(images, List.of(0, 0), null, List.of("a"), p).annotations())
        .isEmpty();
    assertThatThrownBy(() -> new DistilledSet(images, List.of(0, 0), null, List.of("a"), p, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("annotations must not be null");
  }
}
