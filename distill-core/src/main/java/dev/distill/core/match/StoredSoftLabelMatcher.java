package dev.distill.core.match;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.log_softmax;

import dev.distill.api.DistilledSet;
import dev.distill.api.Matcher;
import dev.distill.api.TeacherLogits;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Knowledge distillation from soft labels stored with the set, without the teacher: {@code T² ·
 * KL(softmax(stored/T) ‖ softmax(student/T))}, averaged over the batch; the same loss as {@link
 * SoftLabelMatcher} with the teacher's logits read from {@link DistilledSet#teacherLogits()}
 * instead of computed.
 *
 * <p>When to use it: to evaluate a set whose teacher is not at hand (or too expensive to run at
 * every step), as with the stored labels of SRe²L / D4M / RDED. The difference from {@link
 * SoftLabelMatcher}: the stored logits belong to the un-augmented image, while the student sees an
 * augmented view; the live matcher relabels each view (FKD style), this one gives every view of an
 * image that image's one label (SRe²L and D4M store one label per augmented crop; ours are per
 * image). On un-augmented images the two losses are equal.
 *
 * <p>The temperature is the stored one ({@link #of()}) or a given one ({@link #of(double)}). This
 * matcher needs the stored logits: {@link #loss(Tensor, Tensor, Tensor)} throws, and {@code
 * ClassificationEvaluator} refuses a set without them. Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class StoredSoftLabelMatcher implements Matcher {
  private static final StoredSoftLabelMatcher STORED = new StoredSoftLabelMatcher(Double.NaN);

  private final double temperature; // NaN: the stored one

  private StoredSoftLabelMatcher(double temperature) {
    this.temperature = temperature;
  }

  /**
   * The matcher with the temperature stored with the logits.
   *
   * @return the matcher
   */
  public static StoredSoftLabelMatcher of() {
    return STORED;
  }

  /**
   * The matcher with its own temperature (the stored logits are raw, so any temperature applies).
   *
   * @param temperature the softmax temperature, finite and {@code > 0}
   * @return the matcher
   * @throws IllegalArgumentException if the temperature is not a finite positive number
   */
  public static StoredSoftLabelMatcher of(double temperature) {
    checkArgument(
        temperature > 0 && Double.isFinite(temperature),
        "temperature must be finite and > 0 but was %s",
        temperature);
    return new StoredSoftLabelMatcher(temperature);
  }

  /** The temperature if this matcher has its own, empty if it uses the stored one. */
  public OptionalDouble temperature() {
    return Double.isNaN(temperature) ? OptionalDouble.empty() : OptionalDouble.of(temperature);
  }

  /**
   * Always fails: this matcher needs the batch's stored teacher logits.
   *
   * @throws IllegalStateException always
   */
  @Override
  public Tensor loss(Tensor studentLogits, Tensor images, Tensor labels) {
    throw new IllegalStateException(
        "StoredSoftLabelMatcher needs the batch's stored teacher logits, but was given none: the"
            + " set must have teacher logits (DistilledSet.teacherLogits(), written by"
            + " Distill.softLabels(teacher, temperature)); use SoftLabelMatcher for a live teacher");
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the logits are not {@code [B, K]} with the stored rows'
   *     shape, or the labels not {@code [B]}
   */
  @Override
  public Tensor loss(Tensor studentLogits, Tensor images, Tensor labels, TeacherLogits stored) {
    checkNotNull(studentLogits, "studentLogits");
    checkNotNull(images, "images");
    checkNotNull(labels, "labels");
    checkNotNull(stored, "stored");
    checkArgument(
        studentLogits.dim() == 2
            && studentLogits.size(0) == stored.size()
            && studentLogits.size(1) == stored.numClasses(),
        "studentLogits must have shape [%s, %s] (the stored teacher logits') but had %s dims (%s)",
        stored.size(),
        stored.numClasses(),
        studentLogits.dim(),
        studentLogits.dim() >= 1 ? studentLogits.size(0) : -1);
    checkArgument(
        images.dim() >= 1 && images.size(0) == studentLogits.size(0),
        "images must have one entry per logit row (%s) but had %s dims",
        studentLogits.size(0),
        images.dim());
    checkArgument(
        labels.dim() == 1 && labels.size(0) == studentLogits.size(0),
        "labels must have shape [B] with B = %s (the logits' rows) but had %s dims (%s entries)",
        studentLogits.size(0),
        labels.dim(),
        labels.dim() >= 1 ? labels.size(0) : -1);
    double t = Double.isNaN(temperature) ? stored.temperature() : temperature;
    Scalar invT = new Scalar(1.0 / t);
    Tensor teacherLogProb = log_softmax(stored.logits().detach().mul(invT), 1);
    return SoftLabelMatcher.klLoss(teacherLogProb, log_softmax(studentLogits.mul(invT), 1), t);
  }

  @Override
  public boolean needsTeacherLogits() {
    return true;
  }

  @Override
  public String name() {
    return "soft-kl-stored";
  }

  @Override
  public String toString() {
    return "StoredSoftLabelMatcher[T="
        + (Double.isNaN(temperature) ? "stored" : Double.toString(temperature))
        + "]";
  }
}
