package dev.distill.core.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;
import org.bytedeco.pytorch.Tensor;

/**
 * Decorators for {@link GuidanceTerm}s: give a term a strength schedule, stop it after a step (stop
 * guidance), or both.
 *
 * @since 0.1.0
 */
public final class GuidanceTerms {
  private GuidanceTerms() {}

  /**
   * The term with the strength schedule {@code schedule} (replacing its own).
   *
   * @param term the term
   * @param schedule s(t)
   * @return the scheduled term
   */
  public static GuidanceTerm scheduled(GuidanceTerm term, StrengthSchedule schedule) {
    checkNotNull(term, "term");
    checkNotNull(schedule, "schedule");
    return new Decorated(term, schedule, Integer.MAX_VALUE);
  }

  /**
   * The term switched off from step {@code stopStep} on (stop guidance): active at steps {@code 0
   * .. stopStep-1} only.
   *
   * @param term the term
   * @param stopStep the first step without guidance, {@code >= 0}
   * @return the stopped term
   */
  public static GuidanceTerm stopAt(GuidanceTerm term, int stopStep) {
    checkNotNull(term, "term");
    checkArgument(stopStep >= 0, "stopStep must be >= 0 but was %s", stopStep);
    return new Decorated(term, term::strength, stopStep);
  }

  // package-private (not public) so its contract test can name it in @Covers
  record Decorated(GuidanceTerm inner, StrengthSchedule schedule, int stopStep)
      implements GuidanceTerm {
    @Override
    public Tensor loss(GuidanceContext ctx) {
      return inner.loss(ctx);
    }

    @Override
    public double strength(StepInfo step) {
      return schedule.at(step);
    }

    @Override
    public boolean active(StepInfo step) {
      return step.index() < stopStep && inner.active(step);
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
