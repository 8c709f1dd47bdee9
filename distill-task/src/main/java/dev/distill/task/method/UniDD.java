package dev.distill.task.method;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.GradientMode;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.api.StrengthSchedule;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.tensor.TensorScope;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.layout.SceneTargets;
import dev.distill.task.proxy.AnnotationTaskProxy;
import dev.distill.task.proxy.CenterNetDetector;
import dev.distill.task.proxy.ClassificationProxy;
import dev.distill.task.proxy.LrAsppSegmenter;
import dev.distill.task.proxy.ProxyEnsemble;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * UniDD for classification (Qi et al., CVPR 2025): a task-specific proxy trained on the real data
 * guides sampling through {@link TaskLossGuidance} — ε̂ ← ε̂ + s(t)·∇<sub>z_t</sub> CE(ã, F(x̂0))
 * with ã the sample's class.
 *
 * <p>The default strength is classifier-guidance scaling s(t) = w·√(1−ᾱ) with w = 1 ({@link
 * Schedules#classifierGuidance}); UniDD's paper describes s(t) without public code, so the schedule
 * family is configurable (constant, linear, cosine, classifier-guidance). Context prompts from a
 * captioner (VLM) are not implemented: the label prompt of the run is used. {@link
 * #classification(ProxyEnsemble)} guides with several proxies (losses averaged). Immutable; the
 * proxies are borrowed.
 *
 * @since 0.1.0
 */
public final class UniDD implements DistillMethod {
  private final ProxyEnsemble proxy;
  private final StrengthSchedule schedule;
  private final GradientMode gradientMode;

  private UniDD(ProxyEnsemble proxy, StrengthSchedule schedule, GradientMode gradientMode) {
    this.proxy = checkNotNull(proxy, "proxy");
    this.schedule = checkNotNull(schedule, "schedule");
    this.gradientMode = checkNotNull(gradientMode, "gradientMode");
  }

  /**
   * UniDD classification with a proxy, classifier-guidance strength w = 1, decoder-only gradient.
   *
   * @param proxy the proxy classifier trained on the real data
   * @return the method
   */
  public static UniDD classification(ClassificationProxy proxy) {
    return classification(ProxyEnsemble.of(checkNotNull(proxy, "proxy")));
  }

  /**
   * UniDD classification guided by an ensemble of proxies, whose task losses are averaged at every
   * step (the brief's pitfall 1: several proxies against a biased one). Keep the members apart from
   * the soft-label teacher and the evaluation students; the manifest lists them ({@code
   * method.proxies}).
   *
   * @param proxies the proxies trained on the real data
   * @return the method
   */
  public static UniDD classification(ProxyEnsemble proxies) {
    return new UniDD(proxies, Schedules.classifierGuidance(1.0), GradientMode.DECODER_ONLY);
  }

  /**
   * UniDD for detection: each image is guided by a detection proxy toward a target annotation drawn
   * from the real training statistics and annotated with it ({@link UniDDAnnotations}).
   *
   * @param proxy a detection proxy trained on the real training scenes (e.g. {@link
   *     CenterNetDetector}), one category per class of the run's dataset
   * @param targets the target source, built from the training annotations only
   * @return the method
   * @throws IllegalArgumentException if the proxy is the library's segmenter, or does not know the
   *     targets' categories
   */
  public static UniDDAnnotations detection(AnnotationTaskProxy proxy, SceneTargets targets) {
    checkNotNull(proxy, "proxy");
    checkArgument(
        !(proxy instanceof LrAsppSegmenter),
        "proxy must be a detection proxy but was the segmenter %s",
        proxy.id());
    return UniDDAnnotations.of(UniDDAnnotations.Task.DETECTION, proxy, targets);
  }

  /**
   * UniDD for semantic segmentation: each image is guided by a segmentation proxy toward the
   * semantic mask of a target annotation drawn from the real training statistics and annotated with
   * it ({@link UniDDAnnotations}).
   *
   * @param proxy a segmentation proxy trained on the real training scenes (e.g. {@link
   *     LrAsppSegmenter}), one category per class of the run's dataset
   * @param targets the target source, built from the training annotations only
   * @return the method
   * @throws IllegalArgumentException if the proxy is the library's detector, or does not know the
   *     targets' categories
   */
  public static UniDDAnnotations segmentation(AnnotationTaskProxy proxy, SceneTargets targets) {
    checkNotNull(proxy, "proxy");
    checkArgument(
        !(proxy instanceof CenterNetDetector),
        "proxy must be a segmentation proxy but was the detector %s",
        proxy.id());
    return UniDDAnnotations.of(UniDDAnnotations.Task.SEGMENTATION, proxy, targets);
  }

  /** The guidance proxies (an ensemble of one for a single proxy). */
  public ProxyEnsemble proxies() {
    return proxy;
  }

  /**
   * A copy with another strength schedule s(t).
   *
   * @param schedule the schedule
   * @return the copy
   */
  public UniDD withSchedule(StrengthSchedule schedule) {
    return new UniDD(proxy, schedule, gradientMode);
  }

  /**
   * A copy with another gradient mode.
   *
   * @param mode decoder only (default) or through the denoiser
   * @return the copy
   */
  public UniDD withGradientMode(GradientMode mode) {
    return new UniDD(proxy, schedule, mode);
  }

  @Override
  public String name() {
    return "unidd";
  }

  @Override
  public Map<String, String> config() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("task", "classification");
    m.put("schedule", schedule.toString());
    m.put("gradientMode", gradientMode.name());
    m.put("proxies", proxy.id());
    m.put("proxyLoss", proxy.size() == 1 ? "single" : "mean of " + proxy.size() + " members");
    return m;
  }

  @Override
  public boolean needsSampler() {
    return true;
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    Sampler sampler = ctx.requireSampler();
    checkArgument(
        ctx.classId() < proxy.numClasses(),
        "class %s must be one of the proxy's %s classes",
        ctx.classId(),
        proxy.numClasses());
    return (first, count) -> {
      try (TensorScope scope = TensorScope.open()) {
        SampleRequest request =
            ctx.request(first, count)
                .gradientMode(gradientMode)
                .guidance(
                    TaskLossGuidance.classification(
                        proxy, Collections.nCopies(count, ctx.classId()), schedule))
                .build();
        try (SampleResult r = sampler.sample(request, ctx.listener())) {
          return scope.keep(r.images().clone());
        }
      }
    };
  }
}
