package dev.distill.api;

import dev.distill.api.annotation.AnnotationSet;
import dev.distill.api.annotation.ImageAnnotations;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/**
 * A distilled (or selected) dataset: images, their labels, optional teacher soft labels (as
 * probabilities, and/or as stored teacher logits with their temperature: {@link TeacherLogits}),
 * optional detection/segmentation annotations, the class names and the provenance of the run that
 * made it.
 *
 * <p>Immutable in its Java fields. It owns its tensors (they must have been detached from every
 * scope) and frees them on {@link #close()}. Saved and loaded as an ImageFolder plus {@code
 * manifest.json} (and, with annotations, a COCO {@code instances.json} plus PNG masks) by {@code
 * dev.distill.core.io.DistilledSetIO}.
 *
 * @since 0.1.0
 */
public final class DistilledSet implements AutoCloseable {
  private final Tensor images;
  private final List<Integer> labels;
  private final Tensor softLabels;
  private final List<String> classNames;
  private final RunProvenance provenance;
  private final AnnotationSet annotations;
  private final TeacherLogits teacherLogits;

  /**
   * Creates a set that takes ownership of the tensors.
   *
   * @param images {@code [N, C, H, W]} float32 on the CPU in {@code [-1, 1]}
   * @param labels {@code N} class indices, each in {@code [0, classNames.size())}
   * @param softLabels {@code [N, K]} float32 probabilities, or {@code null} for none
   * @param classNames the class names, index = class id
   * @param provenance how the set was made
   * @throws IllegalArgumentException if the sizes disagree or a label is out of range
   */
  public DistilledSet(
      Tensor images,
      List<Integer> labels,
      Tensor softLabels,
      List<String> classNames,
      RunProvenance provenance) {
    this(images, labels, softLabels, classNames, provenance, null, false, null);
  }

  /**
   * Creates a set with per-image annotations that takes ownership of the tensors.
   *
   * @param images {@code [N, C, H, W]} float32 on the CPU in {@code [-1, 1]}
   * @param labels {@code N} class indices, each in {@code [0, classNames.size())}
   * @param softLabels {@code [N, K]} float32 probabilities, or {@code null} for none
   * @param classNames the class names, index = class id
   * @param provenance how the set was made
   * @param annotations one {@link ImageAnnotations} per image, in image order, each of size {@code
   *     W x H}
   * @throws IllegalArgumentException if the sizes disagree, a label is out of range, or an image's
   *     annotations have another size than the image
   * @since 0.1.0
   */
  public DistilledSet(
      Tensor images,
      List<Integer> labels,
      Tensor softLabels,
      List<String> classNames,
      RunProvenance provenance,
      AnnotationSet annotations) {
    this(
        images,
        labels,
        softLabels,
        classNames,
        provenance,
        Checks.checkNotNull(annotations, "annotations"),
        true,
        null);
  }

  private DistilledSet(
      Tensor images,
      List<Integer> labels,
      Tensor softLabels,
      List<String> classNames,
      RunProvenance provenance,
      AnnotationSet annotations,
      boolean annotated,
      TeacherLogits teacherLogits) {
    this.annotations = annotations;
    this.teacherLogits = teacherLogits;
    this.images = Checks.checkNotNull(images, "images");
    this.labels = List.copyOf(Checks.checkNotNull(labels, "labels"));
    this.softLabels = softLabels;
    this.classNames = List.copyOf(Checks.checkNotNull(classNames, "classNames"));
    this.provenance = Checks.checkNotNull(provenance, "provenance");
    Checks.checkArgument(
        images.dim() == 4, "images must have shape [N, C, H, W] but had %s dims", images.dim());
    Checks.checkArgument(
        images.size(0) == this.labels.size(),
        "labels must have one entry per image (%s) but had %s",
        images.size(0),
        this.labels.size());
    for (int label : this.labels) {
      Checks.checkArgument(
          label >= 0 && label < this.classNames.size(),
          "labels must be in [0, %s) but contained %s",
          this.classNames.size(),
          label);
    }
    if (softLabels != null) {
      Checks.checkArgument(
          softLabels.dim() == 2
              && softLabels.size(0) == images.size(0)
              && softLabels.size(1) == this.classNames.size(),
          "softLabels must have shape [%s, %s] but had dim %s",
          images.size(0),
          this.classNames.size(),
          softLabels.dim());
    }
    if (teacherLogits != null) {
      Checks.checkArgument(
          teacherLogits.size() == images.size(0)
              && teacherLogits.numClasses() == this.classNames.size(),
          "teacherLogits must have shape [%s, %s] (images, classes) but had [%s, %s]",
          images.size(0),
          this.classNames.size(),
          teacherLogits.size(),
          teacherLogits.numClasses());
    }
    if (annotated) {
      Checks.checkArgument(
          annotations.size() == this.labels.size(),
          "annotations must have one entry per image (%s) but had %s",
          this.labels.size(),
          annotations.size());
      for (int i = 0; i < annotations.size(); i++) {
        ImageAnnotations a = annotations.images().get(i);
        Checks.checkArgument(
            a.width() == images.size(3) && a.height() == images.size(2),
            "annotations of image %s must be for a %sx%s (width x height) image but were for %sx%s",
            i,
            images.size(3),
            images.size(2),
            a.width(),
            a.height());
      }
    }
  }

  /** Images {@code [N, C, H, W]}, float32, CPU, {@code [-1, 1]}; owned by this set. */
  public Tensor images() {
    return images;
  }

  /** The label of each image (immutable). */
  public List<Integer> labels() {
    return labels;
  }

  /** Teacher soft labels {@code [N, K]} float32 probabilities if present; owned by this set. */
  public Optional<Tensor> softLabels() {
    return Optional.ofNullable(softLabels);
  }

  /**
   * The teacher's stored soft labels (raw logits {@code [N, K]} float32 in image order, their
   * temperature and the teacher's id), if the set has them.
   *
   * @return the logits, owned by this set (do not close their tensor)
   * @since 0.1.0
   */
  public Optional<TeacherLogits> teacherLogits() {
    return Optional.ofNullable(teacherLogits);
  }

  /**
   * The per-image detection/segmentation annotations, if the set has them.
   *
   * @return one entry per image, in image order
   * @since 0.1.0
   */
  public Optional<AnnotationSet> annotations() {
    return Optional.ofNullable(annotations);
  }

  /** Class names, index = class id (immutable). */
  public List<String> classNames() {
    return classNames;
  }

  /** How the set was made. */
  public RunProvenance provenance() {
    return provenance;
  }

  /** The number of images. */
  public int size() {
    return labels.size();
  }

  @Override
  public void close() {
    images.close();
    if (softLabels != null) {
      softLabels.close();
    }
    if (teacherLogits != null) {
      teacherLogits.logits().close();
    }
  }

  /**
   * A builder for a set with optional parts (soft labels, teacher logits, annotations).
   *
   * @param images {@code [N, C, H, W]} float32 on the CPU in {@code [-1, 1]}; the set takes
   *     ownership
   * @param labels {@code N} class indices, each in {@code [0, classNames.size())}
   * @param classNames the class names, index = class id
   * @param provenance how the set was made
   * @return the builder
   * @since 0.1.0
   */
  public static Builder builder(
      Tensor images, List<Integer> labels, List<String> classNames, RunProvenance provenance) {
    return new Builder(images, labels, classNames, provenance);
  }

  /**
   * Builds a {@link DistilledSet}; the set takes ownership of every tensor given. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Tensor images;
    private final List<Integer> labels;
    private final List<String> classNames;
    private final RunProvenance provenance;
    private Tensor softLabels;
    private TeacherLogits teacherLogits;
    private AnnotationSet annotations;

    private Builder(
        Tensor images, List<Integer> labels, List<String> classNames, RunProvenance provenance) {
      this.images = Checks.checkNotNull(images, "images");
      this.labels = Checks.checkNotNull(labels, "labels");
      this.classNames = Checks.checkNotNull(classNames, "classNames");
      this.provenance = Checks.checkNotNull(provenance, "provenance");
    }

    /**
     * Soft labels as probabilities.
     *
     * @param softLabels {@code [N, K]} float32 probabilities
     * @return this
     */
    public Builder softLabels(Tensor softLabels) {
      this.softLabels = Checks.checkNotNull(softLabels, "softLabels");
      return this;
    }

    /**
     * The teacher's stored logits and temperature.
     *
     * @param teacherLogits {@code [N, K]} logits, one row per image in image order
     * @return this
     */
    public Builder teacherLogits(TeacherLogits teacherLogits) {
      this.teacherLogits = Checks.checkNotNull(teacherLogits, "teacherLogits");
      return this;
    }

    /**
     * Per-image annotations.
     *
     * @param annotations one entry per image, in image order
     * @return this
     */
    public Builder annotations(AnnotationSet annotations) {
      this.annotations = Checks.checkNotNull(annotations, "annotations");
      return this;
    }

    /**
     * The set.
     *
     * @return the set, owning the tensors given to this builder
     * @throws IllegalArgumentException as the constructors do, or if the teacher logits are not
     *     {@code [N, K]} with the set's N images and K classes
     */
    public DistilledSet build() {
      return new DistilledSet(
          images,
          labels,
          softLabels,
          classNames,
          provenance,
          annotations,
          annotations != null,
          teacherLogits);
    }
  }
}
