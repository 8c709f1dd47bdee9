package dev.distill.sdxl.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class ParityCaseTest {

  @Test
  void withinToleranceEverywherePasses() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = Tensors.fromFloats(new float[] {1, -2, 3, 100}, 2, 2);
      Tensor a = Tensors.fromFloats(new float[] {1.00001f, -2, 3, 100.005f}, 2, 2);
      ParityCase r = ParityCase.compare("ok", a, e, 5e-5, 1e-4, 3);
      assertThat(r.pass()).isTrue();
      assertThat(r.maxAbsError()).isBetween(4.9e-3, 5.1e-3);
    }
  }

  @Test
  void failureReportsTheWorstIndexAndBothValues() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = Tensors.fromFloats(new float[] {0, 0, 0, 0, 0, 0}, 1, 2, 3);
      Tensor a = Tensors.fromFloats(new float[] {0, 1e-3f, 0, 0, 0, -2e-3f}, 1, 2, 3);
      ParityCase r = ParityCase.compare("bad", a, e, 5e-5, 1e-4, 0);
      assertThat(r.pass()).isFalse();
      assertThat(r.worstIndex()).containsExactly(0L, 1L, 2L);
      assertThat(r.worstActual()).isEqualTo(-2e-3, org.assertj.core.data.Offset.offset(1e-9));
      assertThat(r.toString()).contains("FAIL").contains("worst at [0, 1, 2]");
    }
  }

  @Test
  void nonFiniteValuesAndShapeMismatchFail() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = Tensors.fromFloats(new float[] {1, 2}, 2);
      ParityCase nan =
          ParityCase.compare("nan", Tensors.fromFloats(new float[] {1, Float.NaN}, 2), e, 1, 1, 0);
      assertThat(nan.pass()).isFalse();
      assertThat(nan.worstIndex()).containsExactly(1L);
      ParityCase shape =
          ParityCase.compare("shape", Tensors.fromFloats(new float[] {1, 2}, 1, 2), e, 1, 1, 0);
      assertThat(shape.pass()).isFalse();
      assertThat(shape.detail()).contains("[1, 2]").contains("[2]");
    }
  }
}
