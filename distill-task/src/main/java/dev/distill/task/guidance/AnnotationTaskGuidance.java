package dev.distill.task.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.task.proxy.AnnotationTaskProxy;
import dev.distill.task.proxy.PreparedTargets;
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
 * <p>The targets are rasterised into the proxy's target tensors once, at the first {@link #loss}
 * ({@link AnnotationTaskProxy#prepare}), not at every step; the term owns those tensors and frees
 * them on {@link #close()} — close it when sampling is done (a term never used allocates nothing).
 * The loss is identical to the per-step {@link AnnotationTaskProxy#taskLoss(Tensor, List)}.
 *
 * <p>Immutable apart from that cache; the proxy is borrowed. Use it on one thread (the prepared
 * tensors are thread-confined like every tensor).
 *
 * @since 0.1.0
 */
public final class AnnotationTaskGuidance implements GuidanceTerm, AutoCloseable {
  private final AnnotationTaskProxy proxy;
  private final List<ImageAnnotations> targets;
  private final StrengthSchedule schedule;
  private final String name;
  private PreparedTargets prepared;
  private boolean closed;

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
    return proxy.taskLoss(x, prepared());
  }

  private synchronized PreparedTargets prepared() {
    checkState(!closed, "guidance term %s must be open but was closed", name);
    if (prepared == null) {
      prepared = proxy.prepare(targets);
    }
    return prepared;
  }

  /** Frees the prepared target tensors; closing again does nothing. */
  @Override
  public synchronized void close() {
    closed = true;
    if (prepared != null) {
      prepared.close();
      prepared = null;
    }
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
