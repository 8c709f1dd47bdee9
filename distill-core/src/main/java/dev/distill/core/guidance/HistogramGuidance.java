package dev.distill.core.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;
import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * A low-level-statistics regulariser: pulls each channel's (soft, differentiable) histogram of x̂0
 * toward the class's real images' mean histogram, so generated images keep the real colour
 * statistics (the brief's IQA advice).
 *
 * <p>Loss: {@code Σ_i Σ_c Cramér(h_c(x̂0_i), h̄_c,real)} with {@link ImageStatistics#softHistogram}
 * and {@link ImageStatistics#cramer}. Owns its target tensor until {@link #close()}.
 *
 * @since 0.1.0
 */
public final class HistogramGuidance implements GuidanceTerm, AutoCloseable {
  /** The default number of histogram bins. */
  public static final int DEFAULT_BINS = 32;

  private final Tensor target;
  private final int bins;
  private final StrengthSchedule schedule;

  private HistogramGuidance(Tensor target, int bins, StrengthSchedule schedule) {
    this.target = target;
    this.bins = bins;
    this.schedule = schedule;
  }

  /**
   * Matches the mean per-channel histogram of real images.
   *
   * @param realImages {@code [n, C, H, W]} reference images (not kept), any size
   * @param bins histogram bins, at least 2 (e.g. {@link #DEFAULT_BINS})
   * @param schedule s(t)
   * @return the term (close it to free its target)
   */
  public static HistogramGuidance of(Tensor realImages, int bins, StrengthSchedule schedule) {
    checkNotNull(realImages, "realImages");
    checkNotNull(schedule, "schedule");
    checkArgument(realImages.size(0) >= 1, "realImages must not be empty");
    try (TensorScope scope = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor h =
          ImageStatistics.softHistogram(realImages, bins)
              .mean(new long[] {0}, true, new ScalarTypeOptional())
              .contiguous();
      return new HistogramGuidance(scope.detach(h), bins, schedule);
    }
  }

  /**
   * The distance this term minimises, per image.
   *
   * @param images {@code [N, C, H, W]} with the reference's channels
   * @return {@code [N]} summed per-channel Cramér distances to the target
   */
  public Tensor distance(Tensor images) {
    checkArgument(
        images.size(1) == target.size(1),
        "images must have %s channels like the reference but had %s",
        target.size(1),
        images.size(1));
    Tensor h = ImageStatistics.softHistogram(images, bins);
    return ImageStatistics.cramer(h, target.to(h.device(), h.scalar_type()))
        .sum(new long[] {1}, false, new ScalarTypeOptional());
  }

  @Override
  public Tensor loss(GuidanceContext ctx) {
    return distance(ctx.predictedImages()).sum();
  }

  @Override
  public double strength(StepInfo step) {
    return schedule.at(step);
  }

  @Override
  public String name() {
    return "histogram-guidance";
  }

  @Override
  public void close() {
    target.close();
  }
}
