package dev.distill.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.DistilledSet;
import dev.distill.api.EvalReport;
import dev.distill.api.Evaluator;
import dev.distill.api.Matcher;
import dev.distill.api.MetricSummary;
import dev.distill.api.Progress;
import dev.distill.api.RunProvenance;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Evaluator} honours; an implementation's test subclasses it with a tiny
 * protocol (few epochs, one or two seeds, a tiny real test set) so each evaluation takes well under
 * a second.
 *
 * <p>Checked: the same set, matcher and protocol give the same report (every deterministic metric
 * value, the evaluator and matcher names, the protocol map); every expected metric is present with
 * finite values in its declared range, and the report names the matcher and pins a protocol; a set
 * with another number of classes, or images of another shape, than the evaluator's real data is
 * rejected with {@link IllegalArgumentException} whose message names the bad value; progress events
 * arrive, never go backwards within a stage, and the last one reaches its total; the set is neither
 * modified nor closed; a second evaluation leaves no more live JavaCPP pointers than before it (a
 * tensor leaked into the caller's scope is still referenced, so it is counted).
 *
 * <p>The contract's sets have {@link #setSize()} images of {@link #imageShape()}, sample {@code i}
 * of class {@code i % numClasses()} with a class-dependent brightness plus seeded noise, in {@code
 * [-1, 1]}. Each test runs inside a JavaCPP {@link PointerScope}; evaluators that are {@link
 * AutoCloseable} are closed after each test.
 */
public abstract class EvaluatorContract {
  private Evaluator evaluator;
  private PointerScope scope;

  /**
   * A metric the evaluator must report, and the range of its values.
   *
   * @param name the metric name in {@link EvalReport#metrics()}
   * @param min the smallest allowed value
   * @param max the largest allowed value
   * @param deterministic whether the same inputs must give the same values (false for wall-clock
   *     timings)
   */
  public record Metric(String name, double min, double max, boolean deterministic) {
    /** Validates the components. */
    public Metric {
      Objects.requireNonNull(name, "name");
      if (!(min <= max)) {
        throw new IllegalArgumentException("min must be <= max but were " + min + ", " + max);
      }
    }

    /**
     * A deterministic metric in {@code [min, max]}, e.g. {@code Metric.of("top1", 0, 100)}.
     *
     * @param name the metric name
     * @param min the smallest allowed value
     * @param max the largest allowed value
     * @return the metric
     */
    public static Metric of(String name, double min, double max) {
      return new Metric(name, min, max, true);
    }

    /**
     * A wall-clock timing in seconds: non-negative, not deterministic.
     *
     * @param name the metric name
     * @return the metric
     */
    public static Metric seconds(String name) {
      return new Metric(name, 0, Double.MAX_VALUE, false);
    }
  }

  /**
   * Creates the evaluator under test, with a tiny protocol and real test data of {@link
   * #numClasses()} classes and images of {@link #imageShape()}.
   *
   * @return the evaluator
   */
  protected abstract Evaluator createEvaluator();

  /**
   * The matcher the contract trains with (e.g. hard labels).
   *
   * @return the matcher
   */
  protected abstract Matcher createMatcher();

  /**
   * The number of classes of the evaluator's real data.
   *
   * @return the class count, at least 2
   */
  protected abstract int numClasses();

  /**
   * The {@code [C, H, W]} of the evaluator's real images.
   *
   * @return the image shape
   */
  protected abstract long[] imageShape();

  /**
   * The metrics every report must hold.
   *
   * @return the metrics, not empty
   */
  protected abstract List<Metric> expectedMetrics();

  /** The number of images of the contract's distilled sets (default: two per class). */
  protected int setSize() {
    return 2 * numClasses();
  }

  @BeforeEach
  final void openEvaluatorAndScope() {
    scope = new PointerScope();
    evaluator = createEvaluator();
  }

  @AfterEach
  final void closeEvaluatorAndScope() throws Exception {
    try {
      if (evaluator instanceof AutoCloseable c) {
        c.close();
      }
    } finally {
      scope.close();
    }
  }

  /** The evaluator of the current test. */
  protected final Evaluator evaluator() {
    return evaluator;
  }

  /**
   * A distilled set the contract evaluates; the caller closes it.
   *
   * @param classes the number of class names
   * @param shape the {@code [C, H, W]} of its images
   * @return the set, owning its tensors
   */
  private DistilledSet set(int classes, long[] shape) {
    int n = setSize();
    List<Integer> labels = IntStream.range(0, n).map(i -> i % classes).boxed().toList();
    List<String> names = IntStream.range(0, classes).mapToObj(k -> "class" + k).toList();
    try (PointerScope s = new PointerScope()) {
      Tensor[] rows = new Tensor[n];
      for (int i = 0; i < n; i++) {
        double brightness = 1.6 * labels.get(i) / Math.max(1, classes - 1) - 0.8;
        rows[i] =
            ContractTensors.gaussian(100 + i, 1, shape[0], shape[1], shape[2])
                .mul(new Scalar(0.3))
                .add(new Scalar(brightness))
                .tanh();
      }
      Tensor images =
          org.bytedeco.pytorch.global.torch.cat(new org.bytedeco.pytorch.TensorVector(rows), 0);
      return new DistilledSet(
          ContractTensors.detach(s, images),
          labels,
          null,
          names,
          new RunProvenance("contract", Map.of(), 0, "", "test", Instant.EPOCH));
    }
  }

  private DistilledSet set() {
    return set(numClasses(), imageShape());
  }

  @Test
  public void createsTheImplementationItCovers() {
    ContractCoverage.assertCovers(getClass(), evaluator);
  }

  @Test
  public void sameSetAndMatcherGiveTheSameReport() {
    try (DistilledSet set = set()) {
      Matcher matcher = createMatcher();
      EvalReport a = evaluator.evaluate(set, matcher, p -> {});
      EvalReport b = evaluator.evaluate(set, matcher, p -> {});
      assertThat(b.evaluator()).isEqualTo(a.evaluator());
      assertThat(b.matcher()).isEqualTo(a.matcher());
      assertThat(b.protocol()).isEqualTo(a.protocol());
      for (Metric m : expectedMetrics()) {
        if (m.deterministic()) {
          assertThat(b.metric(m.name()).values())
              .as(m.name())
              .isEqualTo(a.metric(m.name()).values());
        }
      }
    }
  }

  @Test
  public void reportHoldsEveryExpectedMetricInRangeAndNamesItsMatcher() {
    assertThat(expectedMetrics()).as("expectedMetrics()").isNotEmpty();
    try (DistilledSet set = set()) {
      Matcher matcher = createMatcher();
      EvalReport report = evaluator.evaluate(set, matcher, p -> {});
      for (Metric m : expectedMetrics()) {
        assertThat(report.metrics()).as("metrics").containsKey(m.name());
        MetricSummary s = report.metric(m.name());
        assertThat(s.values())
            .as("values of %s", m.name())
            .allSatisfy(v -> assertThat(v).isFinite().isBetween(m.min(), m.max()));
      }
      assertThat(report.matcher()).isEqualTo(matcher.name());
      assertThat(report.evaluator()).isNotBlank();
      assertThat(report.protocol()).as("the pinned protocol").isNotEmpty();
    }
  }

  @Test
  public void aSetWithAnotherNumberOfClassesIsRejectedNamingTheCount() {
    int wrong = numClasses() + 3;
    try (DistilledSet set = set(wrong, imageShape())) {
      assertThatThrownBy(() -> evaluator.evaluate(set, createMatcher(), p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Integer.toString(wrong));
    }
  }

  @Test
  public void aSetWithAnotherImageShapeIsRejectedNamingTheShape() {
    long[] chw = imageShape();
    long[] taller = {chw[0], chw[1] + 3, chw[2]};
    try (DistilledSet set = set(numClasses(), taller)) {
      assertThatThrownBy(() -> evaluator.evaluate(set, createMatcher(), p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Long.toString(taller[1]));
    }
    long[] moreChannels = {chw[0] + 2, chw[1], chw[2]};
    try (DistilledSet set = set(numClasses(), moreChannels)) {
      assertThatThrownBy(() -> evaluator.evaluate(set, createMatcher(), p -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(Long.toString(moreChannels[0]));
    }
  }

  @Test
  public void progressNeverGoesBackwardsAndReachesItsTotal() {
    List<Progress> events = new ArrayList<>();
    try (DistilledSet set = set()) {
      evaluator.evaluate(set, createMatcher(), events::add);
    }
    assertThat(events).isNotEmpty();
    Progress last = events.get(events.size() - 1);
    assertThat(last.done()).as("last event %s", last).isEqualTo(last.total());
    for (int i = 1; i < events.size(); i++) {
      Progress prev = events.get(i - 1);
      Progress next = events.get(i);
      if (next.stage().equals(prev.stage())) {
        assertThat(next.done()).as("%s after %s", next, prev).isGreaterThanOrEqualTo(prev.done());
      }
    }
  }

  @Test
  public void theSetIsNeitherModifiedNorClosed() {
    try (DistilledSet set = set()) {
      Tensor before = set.images().clone();
      evaluator.evaluate(set, createMatcher(), p -> {});
      assertThat(set.images().isNull()).as("the set's images were closed").isFalse();
      assertThat(ContractTensors.maxAbsDiff(set.images(), before)).isZero();
    }
  }

  @Test
  public void aSecondEvaluationLeavesNoLivePointersBehind() {
    try (DistilledSet set = set()) {
      Matcher matcher = createMatcher();
      evaluator.evaluate(set, matcher, p -> {}); // warm-up: lazily created, cached objects
      long before = Pointer.totalCount();
      evaluator.evaluate(set, matcher, p -> {});
      assertThat(Pointer.totalCount()).as("live JavaCPP pointers").isLessThanOrEqualTo(before);
    }
  }
}
