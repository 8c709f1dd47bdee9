package dev.distill.task.guidance;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.GuidanceContext;
import dev.distill.api.GuidanceTerm;
import dev.distill.api.ImageSize;
import dev.distill.api.StepInfo;
import dev.distill.api.StrengthSchedule;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.data.ImageTransforms;
import dev.distill.core.data.ResizeMode;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.tensor.Tensors;
import dev.distill.task.proxy.AnnotationTaskProxy;
import dev.distill.task.proxy.ClassificationProxy;
import dev.distill.task.proxy.ProxyEnsemble;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * UniDD task-driven guidance for classification (Qi et al., "Towards Universal Dataset Distillation
 * via Task-Driven Diffusion", CVPR 2025): at every step, ε̂ ← ε̂ + s(t)·∇<sub>z_t</sub> CE(ã,
 * F(x̂0)), where x̂0 = D(ẑ0) is the decoded predicted clean image, F the proxy classifier and ã
 * each sample's target label.
 *
 * <p>The loss is the batch sum of the per-sample cross-entropies, so each sample's gradient is its
 * own. x̂0 is brought to the proxy's input by the library's one resolution policy ({@link
 * ImageTransforms#fit}: antialiased bilinear, shorter side + centre crop — differentiable —, BT.601
 * luminance for a gray proxy, channel replication for an RGB proxy on gray images). Works with any
 * {@link dev.distill.api.Sampler} that supports guidance; the gradient mode (decoder only, the
 * UniDD default, or through the denoiser) is the request's. No public UniDD code exists; the
 * formula follows the paper's description (see the methods notes).
 *
 * <p>With a {@link ProxyEnsemble} the loss is the mean of the members' losses (the brief's pitfall
 * 1: several proxies, so no single proxy's bias steers every sample).
 *
 * <p>Immutable; the proxies are borrowed.
 *
 * @since 0.1.0
 */
public final class TaskLossGuidance implements GuidanceTerm {
  private final List<ClassificationProxy> proxies;
  private final long[] targets;
  private final StrengthSchedule schedule;

  private TaskLossGuidance(ProxyEnsemble proxies, long[] targets, StrengthSchedule schedule) {
    this.proxies = proxies.members();
    this.targets = targets;
    this.schedule = schedule;
  }

  /**
   * Classification guidance by an ensemble of proxies (pitfall 1, proxy overfitting): the loss is
   * the mean of the members' losses, each computed as for a single proxy (x̂0 fitted to that
   * member's input size); the target of each sample is its conditioning class. An ensemble of one
   * is exactly {@link #classification(ClassificationProxy, StrengthSchedule)}.
   *
   * @param proxies the proxies
   * @param schedule s(t)
   * @return the term
   */
  public static TaskLossGuidance classification(ProxyEnsemble proxies, StrengthSchedule schedule) {
    checkNotNull(proxies, "proxies");
    checkNotNull(schedule, "schedule");
    return new TaskLossGuidance(proxies, null, schedule);
  }

  /**
   * Ensemble guidance with explicit targets.
   *
   * @param proxies the proxies
   * @param targets the target class of each sample, each in {@code [0, proxies.numClasses())}
   * @param schedule s(t)
   * @return the term
   */
  public static TaskLossGuidance classification(
      ProxyEnsemble proxies, List<Integer> targets, StrengthSchedule schedule) {
    checkNotNull(proxies, "proxies");
    checkNotNull(targets, "targets");
    checkNotNull(schedule, "schedule");
    return new TaskLossGuidance(proxies, checkedTargets(proxies.numClasses(), targets), schedule);
  }

  /**
   * Classification guidance whose target for each sample is that sample's conditioning class
   * ({@link dev.distill.api.Conditioning#classId()}), so one term serves batches of any size.
   *
   * @param proxy the proxy classifier
   * @param schedule s(t)
   * @return the term; its loss fails, naming the sample, if a conditioning has no class or a class
   *     outside {@code [0, proxy.numClasses())}
   */
  public static TaskLossGuidance classification(
      ClassificationProxy proxy, StrengthSchedule schedule) {
    checkNotNull(proxy, "proxy");
    checkNotNull(schedule, "schedule");
    return new TaskLossGuidance(ProxyEnsemble.of(proxy), null, schedule);
  }

  /**
   * Classification guidance with a constant strength.
   *
   * @param proxy the proxy classifier
   * @param targets the target class of each sample of the batch, in batch order
   * @param scale the strength s
   * @return the term
   */
  public static TaskLossGuidance classification(
      ClassificationProxy proxy, List<Integer> targets, double scale) {
    return classification(proxy, targets, Schedules.constant(scale));
  }

  /**
   * Classification guidance with a strength schedule.
   *
   * @param proxy the proxy classifier
   * @param targets the target class of each sample, each in {@code [0, proxy.numClasses())}
   * @param schedule s(t)
   * @return the term
   */
  public static TaskLossGuidance classification(
      ClassificationProxy proxy, List<Integer> targets, StrengthSchedule schedule) {
    checkNotNull(proxy, "proxy");
    checkNotNull(targets, "targets");
    checkNotNull(schedule, "schedule");
    return new TaskLossGuidance(
        ProxyEnsemble.of(proxy), checkedTargets(proxy.numClasses(), targets), schedule);
  }

  /**
   * Segmentation guidance (UniDD beyond classification): the loss is the proxy's per-pixel
   * cross-entropy of x̂0 against each sample's target semantic mask (see {@link
   * dev.distill.task.proxy.LrAsppSegmenter#taskLoss}).
   *
   * @param proxy the segmentation proxy
   * @param targets the target of each sample, in batch order, each with a semantic mask
   * @param schedule s(t)
   * @return the term; its loss fails if the batch size is not {@code targets.size()}
   * @throws IllegalArgumentException if {@code targets} is empty or a target has no semantic mask
   */
  public static AnnotationTaskGuidance segmentation(
      AnnotationTaskProxy proxy, List<ImageAnnotations> targets, StrengthSchedule schedule) {
    checkNotNull(targets, "targets");
    for (int i = 0; i < targets.size(); i++) {
      checkArgument(
          targets.get(i).semanticMask().isPresent(),
          "targets[%s] must have a semantic mask but had none",
          i);
    }
    return new AnnotationTaskGuidance(proxy, targets, schedule, "task-loss-segmentation");
  }

  /**
   * Detection guidance (UniDD beyond classification): the loss is the proxy's detection loss of x̂0
   * against each sample's target boxes (see {@link
   * dev.distill.task.proxy.CenterNetDetector#taskLoss}).
   *
   * @param proxy the detection proxy
   * @param targets the target of each sample, in batch order
   * @param schedule s(t)
   * @return the term; its loss fails if the batch size is not {@code targets.size()}
   * @throws IllegalArgumentException if {@code targets} is empty
   */
  public static AnnotationTaskGuidance detection(
      AnnotationTaskProxy proxy, List<ImageAnnotations> targets, StrengthSchedule schedule) {
    return new AnnotationTaskGuidance(proxy, targets, schedule, "task-loss-detection");
  }

  private static long[] checkedTargets(int numClasses, List<Integer> targets) {
    checkArgument(!targets.isEmpty(), "targets must not be empty but was %s", targets);
    long[] t = new long[targets.size()];
    for (int i = 0; i < t.length; i++) {
      int c = targets.get(i);
      checkArgument(
          c >= 0 && c < numClasses,
          "targets must be in [0, %s) but target %s was %s",
          numClasses,
          i,
          c);
      t[i] = c;
    }
    return t;
  }

  @Override
  public Tensor loss(GuidanceContext ctx) {
    Tensor x = ctx.predictedImages();
    long[] targets = this.targets != null ? this.targets : fromConditionings(ctx, x.size(0));
    checkArgument(
        x.size(0) == targets.length,
        "targets must have one entry per sample (%s) but had %s",
        x.size(0),
        targets.length);
    Tensor total = null;
    for (ClassificationProxy proxy : proxies) {
      Tensor l = proxyLoss(proxy, x, targets);
      total = total == null ? l : total.add(l);
    }
    return proxies.size() == 1 ? total : total.div(Tensors.scalar(proxies.size()));
  }

  private static Tensor proxyLoss(ClassificationProxy proxy, Tensor x, long[] targets) {
    long[] size = proxy.imageSize();
    Tensor fitted =
        ImageTransforms.fit(
            x, ImageSize.of((int) size[1], (int) size[2]), (int) size[0], ResizeMode.COVER_CROP);
    Tensor logits = proxy.logits(fitted);
    Tensor y =
        Tensors.fromLongs(targets, targets.length).to(logits.device(), torch.ScalarType.Long);
    Tensor logp = torch.log_softmax(logits, 1);
    return logp.gather(1, y.unsqueeze(1)).sum().neg();
  }

  /** The proxies whose losses are averaged (one for single-proxy guidance). */
  public List<ClassificationProxy> proxies() {
    return proxies;
  }

  private long[] fromConditionings(GuidanceContext ctx, long batch) {
    List<dev.distill.api.Conditioning> conds = ctx.conditionings();
    checkArgument(
        conds.size() == batch,
        "conditionings must have one entry per sample (%s) but had %s",
        batch,
        conds.size());
    long[] t = new long[conds.size()];
    for (int i = 0; i < t.length; i++) {
      int c = conds.get(i).classId();
      checkArgument(
          c >= 0 && c < proxies.get(0).numClasses(),
          "sample %s must be conditioned on a class in [0, %s) to be its target but had classId %s",
          i,
          proxies.get(0).numClasses(),
          c);
      t[i] = c;
    }
    return t;
  }

  @Override
  public double strength(StepInfo step) {
    return schedule.at(step);
  }

  @Override
  public String name() {
    return "task-loss-classification";
  }
}
