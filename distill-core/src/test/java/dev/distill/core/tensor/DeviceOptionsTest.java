package dev.distill.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.testing.EqualsTester;
import dev.distill.core.eval.EvalProtocol;
import dev.distill.core.eval.TrainConfig;
import dev.distill.core.model.TrainerConfig;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class DeviceOptionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void defaultsToFloat32OnTheCpu() {
    DeviceOptions d = DeviceOptions.cpu();
    assertThat(d.kind()).isEqualTo(DeviceOptions.Kind.CPU);
    assertThat(d.dtype()).isEqualTo(ScalarType.Float);
    assertThat(d.deviceName()).isEqualTo("cpu");
    assertThat(d.isReducedPrecision()).isFalse();
    assertThat(TrainConfig.dsaEvaluation().device()).isEqualTo(d);
    assertThat(TrainerConfig.defaults().device()).isEqualTo(d);
    assertThat(EvalProtocol.defaults().device()).isEqualTo(d);
  }

  @Test
  void rejectsHalfOnTheCpuNamingBothValues() {
    assertThatThrownBy(() -> DeviceOptions.cpu(ScalarType.Half))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dtype Half must run on CUDA")
        .hasMessageContaining("cpu")
        .hasMessageContaining("BFloat16");
  }

  @Test
  void rejectsNonFloatDtypesAndBadIndices() {
    assertThatThrownBy(() -> DeviceOptions.cpu(ScalarType.Long))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dtype must be Float, BFloat16 or Half but was Long");
    assertThatThrownBy(() -> DeviceOptions.cpu(ScalarType.Double))
        .hasMessage("dtype must be Float, BFloat16 or Half but was Double");
    assertThatThrownBy(() -> new DeviceOptions(DeviceOptions.Kind.CPU, 1, ScalarType.Float))
        .hasMessage("index must be 0 for the CPU but was 1");
    assertThatThrownBy(() -> DeviceOptions.cuda(-1, ScalarType.Half))
        .hasMessage("index must be >= 0 for CUDA but was -1");
  }

  @Test
  void parsesLibTorchDeviceNames() {
    assertThat(DeviceOptions.of("cpu", ScalarType.BFloat16))
        .isEqualTo(DeviceOptions.cpu(ScalarType.BFloat16));
    assertThat(DeviceOptions.of("cuda", ScalarType.Half))
        .isEqualTo(DeviceOptions.cuda(ScalarType.Half));
    assertThat(DeviceOptions.of("CUDA:2", ScalarType.Float).deviceName()).isEqualTo("cuda:2");
    assertThatThrownBy(() -> DeviceOptions.of("tpu", ScalarType.Float))
        .hasMessage("device must be cpu, cuda or cuda:N but was tpu");
    assertThatThrownBy(() -> DeviceOptions.of("cuda:x", ScalarType.Float))
        .hasMessage("device must be cpu, cuda or cuda:N but was cuda:x");
    assertThatThrownBy(() -> DeviceOptions.of("cpu", ScalarType.Half))
        .hasMessageContaining("dtype Half must run on CUDA");
  }

  @Test
  void aDtypeReadFromATensorEqualsTheConstant() {
    try (TensorScope s = TensorScope.open()) {
      ScalarType fromTensor = torch.zeros(2).to(ScalarType.BFloat16).scalar_type();
      assertThat(DeviceOptions.cpu(fromTensor)).isEqualTo(DeviceOptions.cpu(ScalarType.BFloat16));
    }
  }

  @Test
  void equalityFollowsTheComponents() {
    new EqualsTester()
        .addEqualityGroup(DeviceOptions.cpu(), DeviceOptions.of("cpu", ScalarType.Float))
        .addEqualityGroup(DeviceOptions.cpu(ScalarType.BFloat16))
        .addEqualityGroup(
            DeviceOptions.cuda(ScalarType.Half), DeviceOptions.cuda(0, ScalarType.Half))
        .addEqualityGroup(DeviceOptions.cuda(1, ScalarType.Half))
        .testEquals();
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    for (DeviceOptions d :
        new DeviceOptions[] {
          DeviceOptions.cpu(),
          DeviceOptions.cpu(ScalarType.BFloat16),
          DeviceOptions.cuda(1, ScalarType.Half)
        }) {
      String json = JSON.writeValueAsString(d);
      assertThat(json).doesNotContain("reducedPrecision").doesNotContain("\"cpu\"");
      assertThat(JSON.readValue(json, DeviceOptions.class)).isEqualTo(d);
    }
  }

  @Test
  void cudaIsCheckedWhenAModelIsPlacedNotWhenTheConfigIsBuilt() {
    assumeFalse(torch.cuda_is_available(), "this machine has CUDA");
    DeviceOptions cuda = DeviceOptions.cuda(ScalarType.BFloat16);
    assertThat(TrainerConfig.defaults().withDevice(cuda).device()).isEqualTo(cuda);
    assertThatThrownBy(cuda::checkAvailable)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("device cuda:0 must be available");
  }

  @Test
  void checkOnNamesTheExpectedAndActualDevice() {
    try (TensorScope s = TensorScope.open()) {
      DeviceOptions.cpu().checkOn(torch.zeros(1), "x");
      assumeFalse(torch.cuda_is_available(), "this machine has CUDA");
      assertThatThrownBy(() -> DeviceOptions.cuda(ScalarType.Float).checkOn(torch.zeros(2, 3), "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("x must be on cuda:0 but was on cpu (shape [2, 3])");
    }
  }

  @Test
  void trainerConfigWithADeviceRoundTripsThroughJson() {
    TrainerConfig c =
        TrainerConfig.builder().numSteps(7).device(DeviceOptions.cpu(ScalarType.BFloat16)).build();
    assertThat(TrainerConfig.fromJson(c.toJson())).isEqualTo(c);
    assertThat(c.withNumSteps(9).device()).isEqualTo(c.device());
    assertThat(TrainerConfig.builder().from(c).build()).isEqualTo(c);
  }

  @Test
  void trainerConfigWrittenBeforeDevicesReadsAsCpuFloat() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode old =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            JSON.readTree(TrainerConfig.defaults().toJson());
    old.remove("device");
    assertThat(TrainerConfig.fromJson(old.toString())).isEqualTo(TrainerConfig.defaults());
  }

  @Test
  void evalProtocolWithADeviceRoundTripsThroughJson() throws Exception {
    EvalProtocol p = EvalProtocol.quick().withDevice(DeviceOptions.cuda(ScalarType.BFloat16));
    assertThat(EvalProtocol.fromJson(p.toJson())).isEqualTo(p);
    assertThat(p.toMap()).containsEntry("device", "cuda:0").containsEntry("dtype", "BFloat16");
    com.fasterxml.jackson.databind.node.ObjectNode old =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            JSON.readTree(EvalProtocol.quick().toJson());
    ((com.fasterxml.jackson.databind.node.ObjectNode) old.get("training")).remove("device");
    assertThat(EvalProtocol.fromJson(old.toString())).isEqualTo(EvalProtocol.quick());
  }
}
