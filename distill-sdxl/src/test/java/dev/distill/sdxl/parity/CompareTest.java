package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import org.assertj.core.data.Offset;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The one comparison of the parity harness. */
class CompareTest {

  @Test
  void withinAbsolutePlusRelativeToleranceEverywherePasses() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = Tensors.fromFloats(new float[] {1, -2, 3, 100}, 2, 2);
      Tensor a = Tensors.fromFloats(new float[] {1.00001f, -2, 3, 100.005f}, 2, 2);
      CaseResult r = Compare.allClose("ok", a, e, 5e-5, 1e-4);
      assertThat(r.pass()).isTrue();
      assertThat(r.maxAbsError()).isBetween(4.9e-3, 5.1e-3);
      // the element closest to failing: 1.00001 against 5e-5 + 1e-4·1
      assertThat(r.tolerance()).isCloseTo(1.5e-4, Offset.offset(1e-12));
    }
  }

  @Test
  void failureReportsTheWorstIndexAndBothValues() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = Tensors.fromFloats(new float[] {0, 0, 0, 0, 0, 0}, 1, 2, 3);
      Tensor a = Tensors.fromFloats(new float[] {0, 1e-3f, 0, 0, 0, -2e-3f}, 1, 2, 3);
      CaseResult r = Compare.allClose("bad", a, e, 5e-5, 1e-4);
      assertThat(r.pass()).isFalse();
      assertThat(r.detail()).contains("worst at [0, 1, 2]").contains("got -0.002");
      assertThat(r.line()).contains("FAIL").contains("worst at [0, 1, 2]");
    }
  }

  @Test
  void nonFiniteValuesAndShapeMismatchFail() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = Tensors.fromFloats(new float[] {1, 2}, 2);
      CaseResult nan =
          Compare.allClose("nan", Tensors.fromFloats(new float[] {1, Float.NaN}, 2), e, 1, 1);
      assertThat(nan.pass()).isFalse();
      assertThat(nan.maxAbsError()).isNaN();
      assertThat(nan.detail()).contains("NON-FINITE").contains("worst at [1]");
      CaseResult shape =
          Compare.allClose("shape", Tensors.fromFloats(new float[] {1, 2}, 1, 2), e, 1, 1);
      assertThat(shape.pass()).isFalse();
      assertThat(shape.detail()).contains("[1, 2]").contains("[2]");
    }
  }

  @Test
  void relativeToMaxScalesTheToleranceByTheLargestReference() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor e = Tensors.fromFloats(new float[] {1e-6f, -2e-3f}, 2);
      CaseResult ok =
          Compare.relativeToMax("g", Tensors.fromFloats(new float[] {1.1e-6f, -2e-3f}, 2), e, 1e-4);
      CaseResult bad =
          Compare.relativeToMax("g", Tensors.fromFloats(new float[] {1.5e-6f, -2e-3f}, 2), e, 1e-4);
      assertThat(ok.pass()).isTrue();
      assertThat(ok.tolerance()).isCloseTo(2e-7, Offset.offset(1e-12));
      assertThat(bad.pass()).isFalse();
    }
  }

  @Test
  void exactComparisonCountsMismatchesAndNamesTheFirst() {
    CaseResult same = Compare.exact("ids", List.of(1, 2, 3), List.of(1, 2, 3), "ids");
    CaseResult diff = Compare.exact("ids", List.of(1, 9, 3, 4), List.of(1, 2, 3), "ids");
    assertThat(same.pass()).isTrue();
    assertThat(same.detail()).isEqualTo("exact (3 ids)");
    assertThat(diff.pass()).isFalse();
    assertThat(diff.maxAbsError()).isEqualTo(2);
    assertThat(diff.detail()).contains("first at 1: 9 vs 2").contains("lengths 4 vs 3");
  }

  @Test
  void caseResultIsAValueWithCheckedNames() {
    new EqualsTester()
        .addEqualityGroup(new CaseResult("a", 1, 2, true, ""), new CaseResult("a", 1, 2, true, ""))
        .addEqualityGroup(new CaseResult("b", 1, 2, true, ""))
        .testEquals();
    new NullPointerTester().testAllPublicConstructors(CaseResult.class);
    assertThat(new CaseResult("a", 1, 2, true, "").prefixed("x:").name()).isEqualTo("x:a");
  }
}
