package dev.distill.sdxl.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class ModelWeightsTest {

  @Test
  void matrixMayBeStoredAsOneByOneKernel() {
    try (TensorScope scope = TensorScope.open()) {
      Tensor conv = scope.detach(torch.ones(3, 2, 1, 1));
      Tensor plain = scope.detach(torch.ones(3, 2));
      try (ModelWeights w = ModelWeights.of("test", Map.of("a.weight", conv, "b.weight", plain))) {
        assertThat(Tensors.shape(w.getMatrix("a.weight", 3, 2))).containsExactly(3, 2);
        assertThat(Tensors.shape(w.getMatrix("b.weight", 3, 2))).containsExactly(3, 2);
        assertThatThrownBy(() -> w.getMatrix("a.weight", 2, 3))
            .hasMessageContaining("[2, 3, 1, 1]")
            .hasMessageContaining("[3, 2, 1, 1]");
        assertThat(w.unused()).isEmpty();
      }
    }
  }

  @Test
  void resolvePicksThePresentSpellingElseTheFirst() {
    try (TensorScope scope = TensorScope.open();
        ModelWeights w =
            ModelWeights.of("test", Map.of("x.query.weight", scope.detach(torch.ones(1))))) {
      assertThat(w.resolve("x.to_q.weight", "x.query.weight")).isEqualTo("x.query.weight");
      assertThat(w.resolve("y.to_q.weight", "y.query.weight")).isEqualTo("y.to_q.weight");
    }
  }

  @Test
  void unusedWeightsAreListed() {
    try (TensorScope scope = TensorScope.open();
        ModelWeights w =
            ModelWeights.of(
                "test",
                Map.of("a", scope.detach(torch.ones(1)), "b", scope.detach(torch.ones(1))))) {
      w.get("a", 1);
      assertThatThrownBy(w::checkAllUsed)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[b]");
    }
  }

  @Test
  void generatingWeightsAreSeededAndShaped() {
    try (TensorScope scope = TensorScope.open();
        ModelWeights a = ModelWeights.generating("a", ScalarType.Float, new Device("cpu"), 9);
        ModelWeights b = ModelWeights.generating("b", ScalarType.Float, new Device("cpu"), 9)) {
      Tensor wa = a.get("l.weight", 4, 3);
      Tensor wb = b.get("l.weight", 4, 3);
      assertThat(Tensors.maxAbsDiff(wa, wb)).isZero();
      assertThat(Tensors.shape(a.get("n.weight", 5))).containsExactly(5);
      assertThat(a.get("n.weight", 5).sub(Tensors.scalar(1)).abs().max().item_double())
          .isLessThan(1.0);
      assertThat(a.names()).containsExactly("l.weight", "n.weight");
      assertThatThrownBy(() -> a.get("q", -1, 3)).hasMessageContaining("fully known shape");
    }
  }
}
