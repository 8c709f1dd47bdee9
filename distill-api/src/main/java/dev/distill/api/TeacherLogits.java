package dev.distill.api;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A teacher's stored soft labels: its raw logits on each image, the softmax temperature they are
 * meant to be used with, and the teacher's id.
 *
 * <p>The soft label of row {@code i} is {@code softmax(logits[i] / temperature)}. Stored logits are
 * the teacher's output on the un-augmented image (one row per image, computed once when the set was
 * made), so a matcher that uses them does not need the teacher; a student trained with augmentation
 * then sees augmented views of an image against the image's one stored label (SRe²L and D4M store
 * labels per augmented crop instead; ours are per image).
 *
 * <p>Immutable in its Java fields. It does not own its tensor: whoever made the tensor frees it. A
 * {@link DistilledSet} built with teacher logits owns their tensor and frees it on {@link
 * DistilledSet#close()}. Thread safety is that of the tensor (do not share across threads).
 *
 * @since 0.1.0
 */
public final class TeacherLogits {
  private final Tensor logits;
  private final double temperature;
  private final String teacherId;

  private TeacherLogits(Tensor logits, double temperature, String teacherId) {
    this.logits = logits;
    this.temperature = temperature;
    this.teacherId = teacherId;
  }

  /**
   * Teacher logits with their temperature.
   *
   * @param logits {@code [N, K]} float32 raw logits (not divided by the temperature), one row per
   *     image; borrowed (see the class comment for ownership)
   * @param temperature the softmax temperature, finite and {@code > 0}
   * @param teacherId the teacher's id (e.g. its {@code name()}), not blank
   * @return the value
   * @throws IllegalArgumentException if the logits are not a float32 {@code [N, K]} tensor, the
   *     temperature is not a finite positive number, or the id is blank
   */
  public static TeacherLogits of(Tensor logits, double temperature, String teacherId) {
    Checks.checkNotNull(logits, "logits");
    Checks.checkNotNull(teacherId, "teacherId");
    Checks.checkArgument(
        logits.dim() == 2, "logits must have shape [N, K] but had %s dims", logits.dim());
    Checks.checkArgument(
        logits.scalar_type().intern() == ScalarType.Float,
        "logits must be float32 but were %s",
        logits.scalar_type());
    Checks.checkArgument(
        temperature > 0 && Double.isFinite(temperature),
        "temperature must be finite and > 0 but was %s",
        temperature);
    Checks.checkArgument(
        !teacherId.isBlank(), "teacherId must not be blank but was '%s'", teacherId);
    return new TeacherLogits(logits, temperature, teacherId);
  }

  /**
   * The raw logits {@code [N, K]}, float32, one row per image in the set's order.
   *
   * @return the tensor; owned as described in the class comment (do not close it)
   */
  public Tensor logits() {
    return logits;
  }

  /** The softmax temperature the logits are meant for, {@code > 0}. */
  public double temperature() {
    return temperature;
  }

  /** The teacher's id. */
  public String teacherId() {
    return teacherId;
  }

  /** The number of rows (images). */
  public long size() {
    return logits.size(0);
  }

  /** The number of classes. */
  public long numClasses() {
    return logits.size(1);
  }

  @Override
  public String toString() {
    return "TeacherLogits["
        + size()
        + "x"
        + numClasses()
        + ", T="
        + temperature
        + ", teacher="
        + teacherId
        + "]";
  }
}
