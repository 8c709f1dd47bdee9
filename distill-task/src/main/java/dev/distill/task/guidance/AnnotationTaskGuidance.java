package dev.distill.task.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.task.proxy.AnnotationTaskProxy;
import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * UniDD task-driven guidance against target annotations (detection, segmentation): ε̂ ← ε̂ +
 * s(t)·∇<sub>z_t</sub> L<sub>task</sub>(ã, F(x̂0)), with x̂0 the context's lazily decoded predicted
 * images, F an {@link AnnotationTaskProxy} and ã each sample's target annotation.
 *
 * <p>Built by {@link TaskLossGuidance#segmentation} and {@link TaskLossGuidance#detection}. The
 * loss is the proxy's {@link AnnotationTaskProxy#taskLoss}, a sum of per-sample losses; target
 * {@code i} belongs to sample {@code i} of the batch. Works with any {@link
 * dev.distill.api.Sampler} that supports guidance.
 *
 * <p>Immutable; the proxy is borrowed.
 *
 * @since 0.1.0
 */
public final class AnnotationTaskGuidance implements GuidanceTerm {
  private final AnnotationTaskProxy proxy;
  private final List<ImageAnnotations> targets;
  private final StrengthSchedule schedule;
  private final String name;

  AnnotationTaskGuidance(
      AnnotationTaskProxy proxy,
      List<ImageAnnotations> targets,
      StrengthSchedule schedule,
      String name) {
    this.proxy = checkNotNull(proxy, "proxy");
    checkNotNull(targets, "targets");
    checkArgument(!targets.isEmpty(), "targets must not be empty but was %s", targets);
    this.targets = List.copyOf(targets);
    this.schedule = checkNotNull(schedule, "schedule");
    this.name = name;
  }

  @Override
  public Tensor loss(GuidanceContext ctx) {
    Tensor x = ctx.predictedImages();
    checkArgument(
        x.size(0) == targets.size(),
        "targets must have one entry per sample (%s) but had %s",
        x.size(0),
        targets.size());
    return proxy.taskLoss(x, targets);
  }

  @Override
  public double strength(StepInfo step) {
    return schedule.at(step);
  }

  @Override
  public String name() {
    return name;
  }

  /** The proxy. */
  public AnnotationTaskProxy proxy() {
    return proxy;
  }

  /** The target of each sample, in batch order. */
  public List<ImageAnnotations> targets() {
    return targets;
  }
}
