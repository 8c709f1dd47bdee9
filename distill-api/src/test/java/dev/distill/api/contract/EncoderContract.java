package dev.distill.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Encoder;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link Encoder} honours.
 *
 * <p>Checked: the output has the expected shape, float32, finite, on the input's device; encoding
 * is deterministic; a sample's encoding does not depend on the rest of its batch; the input is not
 * modified; the id is stable and not blank; an input that is not {@code [N, C, H, W]} is rejected
 * with {@link IllegalArgumentException}; the subclass's {@link Covers} names the class it creates.
 *
 * <p>Encoders that are {@link AutoCloseable} are closed after each test.
 */
public abstract class EncoderContract {
  private Encoder encoder;
  private PointerScope scope;

  /**
   * Creates the encoder under test.
   *
   * @return the encoder
   */
  protected abstract Encoder createEncoder();

  /**
   * The input shape {@code [batch, C, H, W]} the encoder accepts.
   *
   * @param batch the batch size
   * @return the shape
   */
  protected abstract long[] inputShape(int batch);

  /**
   * The output shape for that input.
   *
   * @param batch the batch size
   * @return the shape
   */
  protected abstract long[] outputShape(int batch);

  /** The tolerance when the same image is encoded within a different batch. */
  protected double batchTolerance() {
    return 1e-4;
  }

  @BeforeEach
  final void openEncoderAndScope() {
    scope = new PointerScope();
    encoder = createEncoder();
  }

  @AfterEach
  final void closeEncoderAndScope() throws Exception {
    try {
      if (encoder instanceof AutoCloseable c) {
        c.close();
      }
    } finally {
      scope.close();
    }
  }

  /** Images in [-1, 1] for a batch; image i depends only on i. */
  private Tensor images(int batch, int first) {
    long[] one = inputShape(1);
    Tensor[] rows = new Tensor[batch];
    for (int i = 0; i < batch; i++) {
      rows[i] = ContractTensors.gaussian(first + i, one).tanh();
    }
    return org.bytedeco.pytorch.global.torch.cat(new org.bytedeco.pytorch.TensorVector(rows), 0);
  }

  @Test
  public void outputHasTheExpectedShapeDtypeAndDevice() {
    Tensor out = encoder.encode(images(2, 0));
    assertThat(ContractTensors.shape(out)).containsExactly(outputShape(2));
    assertThat(out.scalar_type().value).isEqualTo(ScalarType.Float.value);
    assertThat(out.is_cpu()).isTrue();
    assertThat(ContractTensors.allFinite(out)).isTrue();
  }

  @Test
  public void encodingIsDeterministicAndLeavesTheInputAlone() {
    Tensor in = images(2, 0);
    Tensor copy = in.clone();
    Tensor a = encoder.encode(in);
    Tensor b = encoder.encode(in);
    assertThat(ContractTensors.maxAbsDiff(a, b)).isZero();
    assertThat(ContractTensors.maxAbsDiff(in, copy)).isZero();
  }

  @Test
  public void eachEncodingIsIndependentOfTheRestOfTheBatch() {
    Tensor batch = encoder.encode(images(3, 0));
    Tensor alone = encoder.encode(images(1, 1));
    assertThat(ContractTensors.maxAbsDiff(batch.narrow(0, 1, 1), alone))
        .isLessThanOrEqualTo(batchTolerance());
  }

  @Test
  public void idIsStableAndNotBlank() {
    assertThat(encoder.id()).isNotBlank().isEqualTo(encoder.id());
  }

  @Test
  public void inputsThatAreNotFourDimensionalAreRejected() {
    Tensor threeDims = images(1, 0).get(0);
    assertThatThrownBy(() -> encoder.encode(threeDims))
        .isInstanceOf(IllegalArgumentException.class);
    Tensor fiveDims = images(1, 0).unsqueeze(0).mul(new Scalar(1.0));
    assertThatThrownBy(() -> encoder.encode(fiveDims)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  public void createsTheImplementationItCovers() {
    ContractCoverage.assertCovers(getClass(), encoder);
  }
}
