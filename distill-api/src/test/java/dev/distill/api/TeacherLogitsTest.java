package dev.distill.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.contract.ContractTensors;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class TeacherLogitsTest {
  private static final RunProvenance PROVENANCE =
      new RunProvenance("x", Map.of(), 0, "", "test", Instant.EPOCH);

  @Test
  void validatesShapeDtypeTemperatureAndId() {
    try (PointerScope scope = new PointerScope()) {
      assertThatThrownBy(
              () -> TeacherLogits.of(ContractTensors.fromFloats(new float[3], 3), 1.0, "t"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("logits must have shape [N, K] but had 1 dims");
      assertThatThrownBy(
              () ->
                  TeacherLogits.of(
                      ContractTensors.fromFloats(new float[6], 2, 3).to(ScalarType.Double),
                      1.0,
                      "t"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("logits must be float32");
      for (double bad : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
        assertThatThrownBy(
                () -> TeacherLogits.of(ContractTensors.fromFloats(new float[6], 2, 3), bad, "t"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("temperature must be finite and > 0 but was " + bad);
      }
      assertThatThrownBy(
              () -> TeacherLogits.of(ContractTensors.fromFloats(new float[6], 2, 3), 1.0, " "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("teacherId must not be blank");
      TeacherLogits ok = TeacherLogits.of(ContractTensors.fromFloats(new float[6], 2, 3), 4.0, "t");
      assertThat(ok.size()).isEqualTo(2);
      assertThat(ok.numClasses()).isEqualTo(3);
      assertThat(ok.temperature()).isEqualTo(4.0);
      assertThat(ok.teacherId()).isEqualTo("t");
    }
  }

  @Test
  void aSetRefusesTeacherLogitsOfAnotherShape() {
    try (PointerScope scope = new PointerScope()) {
      DistilledSet.Builder b =
          DistilledSet.builder(
                  ContractTensors.fromFloats(new float[2 * 4], 2, 1, 2, 2),
                  List.of(0, 1),
                  List.of("a", "b"),
                  PROVENANCE)
              .teacherLogits(
                  TeacherLogits.of(ContractTensors.fromFloats(new float[6], 2, 3), 1.0, "t"));
      assertThatThrownBy(b::build)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "teacherLogits must have shape [2, 2] (images, classes) but had [2, 3]");
    }
  }

  @Test
  void aSetBuiltWithTeacherLogitsCarriesThem() {
    try (PointerScope scope = new PointerScope()) {
      TeacherLogits t = TeacherLogits.of(ContractTensors.fromFloats(new float[4], 2, 2), 2.0, "t");
      DistilledSet set =
          DistilledSet.builder(
                  ContractTensors.fromFloats(new float[2 * 4], 2, 1, 2, 2),
                  List.of(0, 1),
                  List.of("a", "b"),
                  PROVENANCE)
              .teacherLogits(t)
              .build();
      assertThat(set.teacherLogits()).containsSame(t);
      assertThat(set.softLabels()).isEmpty();
      assertThat(set.annotations()).isEmpty();
    }
  }
}
