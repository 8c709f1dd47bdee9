package dev.distill.core.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParameterSetTest {

  @Test
  void loadCopiesValuesInPlaceAndIgnoresBatchNormCounters(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.safetensors");
    try (ParameterSet p = new ParameterSet();
        TensorScope s = TensorScope.open()) {
      Tensor w = p.addParameter("w", new float[] {1, 2, 3, 4}, 2, 2);
      p.addBuffer("bn.running_mean", new float[] {0, 0}, 2);
      Map<String, Tensor> file1 = new LinkedHashMap<>();
      file1.put("w", Tensors.fromFloats(new float[] {5, 6, 7, 8}, 2, 2));
      file1.put("bn.running_mean", Tensors.fromFloats(new float[] {9, 10}, 2));
      file1.put("bn.num_batches_tracked", Tensors.fromLongs(new long[] {3}));
      Safetensors.write(file, file1, Map.of());
      p.load(file);
      assertThat(Tensors.toFloats(w)).containsExactly(5, 6, 7, 8); // same tensor, new values
      assertThat(w.requires_grad()).isTrue();
      assertThat(Tensors.toFloats(p.get("bn.running_mean"))).containsExactly(9, 10);
      assertThat(p.count()).isEqualTo(4);
    }
  }

  @Test
  void loadNamesMissingAndUnexpectedTensorsAndShapeMismatches(@TempDir Path dir) throws Exception {
    Path extra = dir.resolve("extra.safetensors");
    Path shape = dir.resolve("shape.safetensors");
    try (ParameterSet p = new ParameterSet();
        TensorScope s = TensorScope.open()) {
      p.addParameter("a", new float[] {1, 2}, 2);
      p.addParameter("b", new float[] {1}, 1);
      Safetensors.write(
          extra,
          Map.of(
              "a",
              Tensors.fromFloats(new float[] {1, 2}, 2),
              "c",
              Tensors.fromFloats(new float[] {1}, 1)),
          Map.of());
      assertThatThrownBy(() -> p.load(extra))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("missing [b]")
          .hasMessageContaining("unexpected [c]");
      Safetensors.write(
          shape,
          Map.of(
              "a",
              Tensors.fromFloats(new float[] {1, 2, 3}, 3),
              "b",
              Tensors.fromFloats(new float[] {1}, 1)),
          Map.of());
      assertThatThrownBy(() -> p.load(shape))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tensor a")
          .hasMessageContaining("must have shape [2] but had [3]");
    }
  }

  @Test
  void rejectsDuplicateNamesAndUseAfterClose() {
    ParameterSet p = new ParameterSet();
    p.addParameter("a", new float[] {1}, 1);
    assertThatThrownBy(() -> p.addBuffer("a", new float[] {1}, 1))
        .hasMessageContaining("name must be unique but a was already registered");
    p.close();
    assertThatThrownBy(() -> p.get("a")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void configsRejectNullsAndCompareByValue() {
    NullPointerTester npt =
        new NullPointerTester()
            .setDefault(Norm.class, Norm.INSTANCE)
            .setDefault(Architecture.class, Architecture.CONVNET);
    npt.testAllPublicConstructors(StudentSpec.class);
    npt.testAllPublicStaticMethods(StudentSpec.class);
    new EqualsTester()
        .addEqualityGroup(StudentSpec.convNet3(), StudentSpec.convNet(128, 3))
        .addEqualityGroup(StudentSpec.resNet18())
        .addEqualityGroup(ConvNetConfig.of(1, 28, 28, 10), ConvNetConfig.of(1, 28, 28, 10))
        .testEquals();
  }
}
