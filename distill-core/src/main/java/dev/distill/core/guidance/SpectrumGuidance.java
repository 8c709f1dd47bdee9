package dev.distill.core.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;
import dev.distill.core.data.ImageTransforms;
import dev.distill.core.data.ResizeMode;
import dev.distill.core.tensor.TensorScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;

/**
 * A low-level-statistics regulariser: pulls the radially averaged power spectrum of x̂0 toward that
 * of the class's real images, so generated images keep the real noise spectrum (the brief's IQA
 * advice: diffusion changes noise spectra).
 *
 * <p>Loss: {@code Σ_i ‖log S(x̂0_i) − log S̄_real‖²} with {@link
 * ImageStatistics#logRadialSpectrum}; x̂0 is brought to the size the target was computed at by
 * {@link ImageTransforms}. Owns its target tensor (a few hundred floats) until {@link #close()}.
 * Immutable otherwise; used on the sampling thread.
 *
 * @since 0.1.0
 */
public final class SpectrumGuidance implements GuidanceTerm, AutoCloseable {
  private final Tensor target;
  private final ImageSize size;
  private final StrengthSchedule schedule;

  private SpectrumGuidance(Tensor target, ImageSize size, StrengthSchedule schedule) {
    this.target = target;
    this.size = size;
    this.schedule = schedule;
  }

  /**
   * Matches the mean log spectrum of real images.
   *
   * @param realImages {@code [n, C, H, W]} reference images (not kept)
   * @param size the size the spectra are compared at (e.g. the generation size)
   * @param schedule s(t)
   * @return the term (close it to free its target)
   */
  public static SpectrumGuidance of(Tensor realImages, ImageSize size, StrengthSchedule schedule) {
    checkNotNull(realImages, "realImages");
    checkNotNull(size, "size");
    checkNotNull(schedule, "schedule");
    checkArgument(realImages.size(0) >= 1, "realImages must not be empty");
    try (TensorScope scope = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor s =
          ImageStatistics.logRadialSpectrum(
                  ImageTransforms.resize(realImages, size, ResizeMode.COVER_CROP))
              .mean(new long[] {0}, true, new ScalarTypeOptional())
              .contiguous();
      return new SpectrumGuidance(scope.detach(s), size, schedule);
    }
  }

  /**
   * The distance this term minimises, per image.
   *
   * @param images {@code [N, C, H, W]}
   * @return {@code [N]} squared log-spectrum distances to the target
   */
  public Tensor distance(Tensor images) {
    Tensor s =
        ImageStatistics.logRadialSpectrum(
            ImageTransforms.resize(images, size, ResizeMode.COVER_CROP));
    return s.sub(target.to(s.device(), s.scalar_type()))
        .square()
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
    return "spectrum-guidance";
  }

  @Override
  public void close() {
    target.close();
  }
}
