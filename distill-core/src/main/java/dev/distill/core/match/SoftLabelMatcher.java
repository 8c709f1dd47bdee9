package dev.distill.core.match;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.bytedeco.pytorch.global.torch.log_softmax;

import dev.distill.api.Matcher;
import dev.distill.core.nn.ImageClassifier;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * Knowledge distillation from a frozen teacher on the same augmented view the student saw: {@code
 * T² · KL(softmax(teacher(x)/T) ‖ softmax(student(x)/T))}, averaged over the batch (the FKD / SRe²L
 * / D4M "training-time matching" loss, Hinton et al. 2015).
 *
 * <p>The teacher runs in inference mode without autograd; its parameters are never updated by this
 * matcher. The teacher is borrowed, not owned: the caller keeps it open while the matcher is used
 * and closes it afterwards. Not thread-safe (the teacher is not).
 *
 * @since 0.1.0
 */
public final class SoftLabelMatcher implements Matcher {
  private final ImageClassifier teacher;
  private final double temperature;

  private SoftLabelMatcher(ImageClassifier teacher, double temperature) {
    this.teacher = teacher;
    this.temperature = temperature;
  }

  /**
   * A matcher with a teacher and a temperature.
   *
   * @param teacher the frozen teacher (borrowed)
   * @param temperature the softmax temperature, {@code > 0} (SRe²L/D4M use 20, Hinton 2–4)
   * @return the matcher
   * @throws IllegalArgumentException if the temperature is not positive
   */
  public static SoftLabelMatcher of(ImageClassifier teacher, double temperature) {
    checkNotNull(teacher, "teacher");
    checkArgument(
        temperature > 0 && Double.isFinite(temperature),
        "temperature must be > 0 but was %s",
        temperature);
    return new SoftLabelMatcher(teacher, temperature);
  }

  /** The temperature. */
  public double temperature() {
    return temperature;
  }

  /** The teacher (borrowed). */
  public ImageClassifier teacher() {
    return teacher;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The labels do not enter the loss, but must still be the batch's {@code [B]} labels: a
   * mismatch is the caller's bug and fails as it does for {@link HardLabelMatcher}.
   *
   * @throws IllegalArgumentException if the logits do not have the teacher's class count, or the
   *     images or labels are not one per logit row
   */
  @Override
  public Tensor loss(Tensor studentLogits, Tensor images, Tensor labels) {
    checkNotNull(studentLogits, "studentLogits");
    checkNotNull(images, "images");
    checkNotNull(labels, "labels");
    checkArgument(
        studentLogits.dim() == 2
            && studentLogits.size(1) == teacher.numClasses()
            && studentLogits.size(0) == images.size(0),
        "studentLogits must have shape [%s, %s] but had %s dims (%s rows)",
        images.size(0),
        teacher.numClasses(),
        studentLogits.dim(),
        studentLogits.size(0));
    checkArgument(
        labels.dim() == 1 && labels.size(0) == studentLogits.size(0),
        "labels must have shape [B] with B = %s (the logits' rows) but had %s dims (%s entries)",
        studentLogits.size(0),
        labels.dim(),
        labels.dim() >= 1 ? labels.size(0) : -1);
    Scalar invT = new Scalar(1.0 / temperature);
    Tensor teacherLogProb;
    try (NoGradGuard g = new NoGradGuard()) {
      teacherLogProb = log_softmax(teacher.forward(images.detach()).mul(invT), 1);
    }
    return klLoss(teacherLogProb, log_softmax(studentLogits.mul(invT), 1), temperature);
  }

  /**
   * {@code T² · Σ p (log p − log q) / B}: the batch-mean KL divergence of student from teacher.
   *
   * @param teacherLogProb {@code [B, K]} log-probabilities of the teacher (no grad)
   * @param studentLogProb {@code [B, K]} log-probabilities of the student
   * @param temperature T
   * @return a 0-dim tensor in the caller's scope
   */
  static Tensor klLoss(Tensor teacherLogProb, Tensor studentLogProb, double temperature) {
    double batch = studentLogProb.size(0);
    return teacherLogProb
        .exp()
        .mul(teacherLogProb.sub(studentLogProb))
        .sum()
        .mul(new Scalar(temperature * temperature / batch));
  }

  @Override
  public String name() {
    return "soft-kl";
  }

  @Override
  public String toString() {
    return "SoftLabelMatcher[teacher=" + teacher.name() + ", T=" + temperature + "]";
  }
}
