package dev.distill.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Matcher;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Matcher} honours.
 *
 * <p>Checked: the loss is a finite, non-negative 0-dim tensor; its gradient with respect to the
 * student logits is finite and not zero; it is deterministic and modifies none of its inputs; the
 * name is not blank; logits that are not {@code [B, K]} or labels that are not {@code [B]} are
 * rejected with {@link IllegalArgumentException}; a matcher that {@link
 * Matcher#needsTeacherLogits() needs stored teacher logits} refuses a batch without them with
 * {@link IllegalStateException}; the subclass's {@link Covers} names the class it creates.
 *
 * <p>Matchers that are {@link AutoCloseable} are closed after each test.
 */
public abstract class MatcherContract {
  protected Matcher matcher;
  private PointerScope scope;

  /**
   * Creates the matcher under test.
   *
   * @return the matcher
   */
  protected abstract Matcher createMatcher();

  /** The number of classes K the matcher expects. */
  protected abstract int numClasses();

  /** The {@code [C, H, W]} of the images the matcher (its teacher) accepts. */
  protected abstract long[] imageShape();

  @BeforeEach
  final void openMatcherAndScope() {
    scope = new PointerScope();
    matcher = createMatcher();
  }

  @AfterEach
  final void closeMatcherAndScope() throws Exception {
    try {
      if (matcher instanceof AutoCloseable c) {
        c.close();
      }
    } finally {
      scope.close();
    }
  }

  private Tensor logits(int batch) {
    return ContractTensors.gaussian(1, batch, numClasses()).detach().requires_grad_(true);
  }

  private Tensor images(int batch) {
    long[] chw = imageShape();
    return ContractTensors.gaussian(2, batch, chw[0], chw[1], chw[2]).tanh();
  }

  private Tensor labels(int batch) {
    long[] l = new long[batch];
    for (int i = 0; i < batch; i++) {
      l[i] = (i * 7L) % numClasses();
    }
    try (LongPointer p = new LongPointer(l)) {
      return torch.from_blob(p, new long[] {batch}, new TensorOptions(ScalarType.Long)).clone();
    }
  }

  /**
   * How the contract calls the matcher: {@link Matcher#loss}; a matcher that needs more than the
   * logits (e.g. the student network, as core's {@code StudentMatcher}) overrides this to call its
   * richer entry point, the one its trainer uses.
   */
  protected Tensor loss(Tensor logits, Tensor images, Tensor labels) {
    return matcher.loss(logits, images, labels);
  }

  @Test
  public void lossIsAFiniteNonNegativeScalar() {
    Tensor loss = loss(logits(4), images(4), labels(4));
    assertThat(loss.dim()).isZero();
    assertThat(ContractTensors.allFinite(loss)).isTrue();
    assertThat(loss.item_double()).isGreaterThanOrEqualTo(-1e-6);
  }

  @Test
  public void lossHasAFiniteNonZeroGradientWithRespectToTheLogits() {
    Tensor logits = logits(4);
    loss(logits, images(4), labels(4)).backward();
    Tensor g = logits.grad();
    assertThat(g.defined()).isTrue();
    assertThat(ContractTensors.allFinite(g)).isTrue();
    assertThat(g.abs().max().item_double()).isGreaterThan(0.0);
  }

  @Test
  public void lossIsDeterministicAndLeavesItsInputsAlone() {
    Tensor logits = logits(4);
    Tensor images = images(4);
    Tensor labels = labels(4);
    Tensor l0 = logits.detach().clone();
    Tensor i0 = images.clone();
    Tensor y0 = labels.clone();
    double a = loss(logits, images, labels).item_double();
    double b = loss(logits, images, labels).item_double();
    assertThat(b).isEqualTo(a);
    assertThat(ContractTensors.maxAbsDiff(logits, l0)).isZero();
    assertThat(ContractTensors.maxAbsDiff(images, i0)).isZero();
    assertThat(ContractTensors.maxAbsDiff(labels, y0)).isZero();
  }

  @Test
  public void aMatcherThatNeedsTeacherLogitsRefusesABatchWithout() {
    if (matcher.needsTeacherLogits()) {
      assertThatThrownBy(() -> matcher.loss(logits(4), images(4), labels(4)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("teacher logits");
    }
  }

  @Test
  public void hasAName() {
    assertThat(matcher.name()).isNotBlank();
  }

  @Test
  public void mismatchedShapesAreRejected() {
    assertThatThrownBy(() -> loss(logits(4).get(0), images(4), labels(4)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> loss(logits(4), images(4), labels(3)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  public void createsTheImplementationItCovers() {
    ContractCoverage.assertCovers(getClass(), matcher);
  }
}
