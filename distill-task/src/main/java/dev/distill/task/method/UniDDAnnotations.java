package dev.distill.task.method;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.api.GradientMode;
import dev.distill.api.ImageSize;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.Sampler;
import dev.distill.api.StrengthSchedule;
import dev.distill.api.annotation.Category;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.core.guidance.Schedules;
import dev.distill.core.internal.ClassContext;
import dev.distill.core.internal.ClassGenerator;
import dev.distill.core.pipeline.DistillMethod;
import dev.distill.core.tensor.TensorScope;
import dev.distill.task.guidance.AnnotationTaskGuidance;
import dev.distill.task.guidance.TaskLossGuidance;
import dev.distill.task.layout.SceneTargets;
import dev.distill.task.proxy.AnnotationTaskProxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * UniDD for detection and segmentation (Qi et al., CVPR 2025, beyond classification): every
 * generated image gets a target annotation ã drawn from the real training statistics ({@link
 * SceneTargets}), is sampled with {@link TaskLossGuidance} toward ã — ε̂ ← ε̂ +
 * s(t)·∇<sub>z_t</sub> L<sub>task</sub>(ã, F(x̂0)) — and carries ã as its annotation in the {@link
 * dev.distill.api.DistilledSet} (written as COCO {@code instances.json} plus PNG masks).
 *
 * <p>Made by {@link UniDD#detection} and {@link UniDD#segmentation}. Image {@code i} of class
 * {@code c} (category {@code c + 1}, the convention of {@code FashionMnistScenes} and of the
 * proxies, whose ids are {@code 1..K}) gets ã = {@link SceneTargets#drawDominant}(run seed, c + 1,
 * i): a target whose largest box is of class c, so the class-conditioned sampler is conditioned on
 * ã's dominant class. On a layout-conditioned sampler ({@link Sampler#layoutConditioned()}, e.g.
 * the built-in scene model {@code BuiltinModel.fashionMnistScenes()}) ã is also the sample's {@link
 * dev.distill.api.Conditioning#layout()}, so the generator is asked for ã's boxes and the task
 * guidance corrects what it gets wrong; on any other sampler the other objects of ã are reached
 * through the task guidance alone (weak with a single-object model). {@link #withoutGuidance()} is
 * the same method without the guidance term, for the comparison.
 *
 * <p>Strength and stop step are those of {@link UniDD#classification}: classifier-guidance scaling
 * s(t) = w·√(1−ᾱ) with w = 1, active at every step (no stop step), decoder-only gradient; change
 * them with {@link #withSchedule} and {@link #withGradientMode}. The targets must be drawn on the
 * generation size, and the output size must be that size too (else {@code Distill} refuses the
 * annotations, naming both sizes).
 *
 * <p>Immutable; the proxy and the targets are borrowed.
 *
 * @since 0.1.0
 */
public final class UniDDAnnotations implements DistillMethod {
  /** The task the proxy solves. */
  enum Task {
    DETECTION,
    SEGMENTATION
  }

  private final Task task;
  private final AnnotationTaskProxy proxy;
  private final SceneTargets targets;
  private final StrengthSchedule schedule;
  private final GradientMode gradientMode;
  private final boolean guided;

  UniDDAnnotations(
      Task task,
      AnnotationTaskProxy proxy,
      SceneTargets targets,
      StrengthSchedule schedule,
      GradientMode gradientMode,
      boolean guided) {
    this.guided = guided;
    this.task = checkNotNull(task, "task");
    this.proxy = checkNotNull(proxy, "proxy");
    this.targets = checkNotNull(targets, "targets");
    this.schedule = checkNotNull(schedule, "schedule");
    this.gradientMode = checkNotNull(gradientMode, "gradientMode");
    checkArgument(
        proxy.numCategories() >= maxCategoryId(targets.categories()),
        "proxy must know the targets' category ids up to %s but had %s categories",
        maxCategoryId(targets.categories()),
        proxy.numCategories());
  }

  static UniDDAnnotations of(Task task, AnnotationTaskProxy proxy, SceneTargets targets) {
    return new UniDDAnnotations(
        task, proxy, targets, Schedules.classifierGuidance(1.0), GradientMode.DECODER_ONLY, true);
  }

  private static int maxCategoryId(List<Category> categories) {
    return categories.stream().mapToInt(Category::id).max().orElse(0);
  }

  /** The guidance proxy. */
  public AnnotationTaskProxy proxy() {
    return proxy;
  }

  /** The target source. */
  public SceneTargets targets() {
    return targets;
  }

  /**
   * A copy with another strength schedule s(t).
   *
   * @param schedule the schedule
   * @return the copy
   */
  public UniDDAnnotations withSchedule(StrengthSchedule schedule) {
    return new UniDDAnnotations(task, proxy, targets, schedule, gradientMode, guided);
  }

  /**
   * A copy with another gradient mode.
   *
   * @param mode decoder only (default) or through the denoiser
   * @return the copy
   */
  public UniDDAnnotations withGradientMode(GradientMode mode) {
    return new UniDDAnnotations(task, proxy, targets, schedule, mode, guided);
  }

  /**
   * The ablation without the task guidance: the same targets ã, the same conditioning (class and,
   * on a layout-conditioned sampler, ã as the layout) and the same annotations, but no ∇L<sub>
   * task</sub> correction — "unguided generation" in UniDD's comparison. Named {@code "unguided"}.
   *
   * @return the copy
   */
  public UniDDAnnotations withoutGuidance() {
    return new UniDDAnnotations(task, proxy, targets, schedule, gradientMode, false);
  }

  /** Whether the task guidance is applied (false for {@link #withoutGuidance()}). */
  public boolean guided() {
    return guided;
  }

  @Override
  public String name() {
    return guided ? "unidd" : "unguided";
  }

  @Override
  public Map<String, String> config() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("task", task == Task.DETECTION ? "detection" : "segmentation");
    m.put("guided", Boolean.toString(guided));
    m.put("schedule", schedule.toString());
    m.put("gradientMode", gradientMode.name());
    m.put("proxy", proxy.id());
    m.put("targets", targets.toString());
    m.put("targetClass", "dominant (largest box) = the image's class");
    m.put("layout", "ã as the conditioning's layout when the sampler is layout-conditioned");
    return m;
  }

  @Override
  public boolean needsSampler() {
    return true;
  }

  @Override
  public List<Category> annotationCategories() {
    return targets.categories();
  }

  /**
   * The target of image {@code index} of class {@code classId} in a run with {@code runSeed}: what
   * the image is guided toward and annotated with.
   *
   * @param runSeed the run seed
   * @param classId the class
   * @param index the image index
   * @return ã
   * @throws IllegalArgumentException if the class's category has no training object
   */
  public ImageAnnotations target(long runSeed, int classId, int index) {
    return targets.drawDominant(runSeed, classId + 1, index);
  }

  @Override
  public ClassGenerator prepare(ClassContext ctx) {
    Sampler sampler = ctx.requireSampler();
    int classes = ctx.data().numClasses();
    checkArgument(
        proxy.numCategories() == classes,
        "proxy must have one category per class of the dataset (%s) but had %s",
        classes,
        proxy.numCategories());
    ImageSize size = ctx.generationSize();
    checkArgument(
        targets.width() == size.width() && targets.height() == size.height(),
        "targets must be drawn on the generation size %sx%s (width x height) but were drawn on"
            + " %sx%s",
        size.width(),
        size.height(),
        targets.width(),
        targets.height());
    int category = ctx.classId() + 1;
    checkArgument(
        targets.objectCount(category) > 0,
        "class %s (category %s) must have training objects in the targets' statistics but had"
            + " none",
        ctx.classId(),
        category);
    return new ClassGenerator() {
      @Override
      public Tensor generate(int first, int count) {
        List<ImageAnnotations> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          batch.add(target(ctx.runSeed(), ctx.classId(), first + i));
        }
        SampleRequest.Builder builder =
            sampler.layoutConditioned()
                ? ctx.request(
                    first, count, i -> ctx.conditioning(i).withLayout(batch.get(i - first)))
                : ctx.request(first, count);
        if (!guided) {
          try (TensorScope scope = TensorScope.open();
              SampleResult r = sampler.sample(builder.build(), ctx.listener())) {
            return scope.keep(r.images().clone());
          }
        }
        try (TensorScope scope = TensorScope.open();
            AnnotationTaskGuidance term = term(batch)) {
          SampleRequest request = builder.gradientMode(gradientMode).guidance(term).build();
          try (SampleResult r = sampler.sample(request, ctx.listener())) {
            return scope.keep(r.images().clone());
          }
        }
      }

      @Override
      public Optional<ImageAnnotations> annotation(int index) {
        return Optional.of(target(ctx.runSeed(), ctx.classId(), index));
      }
    };
  }

  private AnnotationTaskGuidance term(List<ImageAnnotations> batch) {
    return task == Task.DETECTION
        ? TaskLossGuidance.detection(proxy, batch, schedule)
        : TaskLossGuidance.segmentation(proxy, batch, schedule);
  }
}
