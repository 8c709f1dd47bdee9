package dev.distill.task.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.distill.core.eval.OptimizerKind;
import dev.distill.core.tensor.DeviceOptions;
import java.util.List;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** The two protocol records: validation, equality, JSON round trip and the flat report form. */
class EvalProtocolsTest {

  @Test
  void detectionProtocolRoundTripsThroughJson() {
    DetectionProtocol quick = DetectionProtocol.quick();
    assertThat(DetectionProtocol.fromJson(quick.toJson())).isEqualTo(quick);
    DetectionProtocol other =
        quick
            .withOptimizer(OptimizerKind.SGD, 0.05, 0.9)
            .withSeeds(List.of(3L, 4L))
            .withDevice(DeviceOptions.cpu(ScalarType.BFloat16));
    assertThat(DetectionProtocol.fromJson(other.toJson())).isEqualTo(other);
    assertThatThrownBy(() -> DetectionProtocol.fromJson("{\"epochs\": 0}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("json must be a DetectionProtocol");
  }

  @Test
  void segmentationProtocolRoundTripsThroughJson() {
    SegmentationProtocol quick = SegmentationProtocol.quick();
    assertThat(SegmentationProtocol.fromJson(quick.toJson())).isEqualTo(quick);
    SegmentationProtocol other = quick.withBatchSize(4).withNetWidth(16).withTestScenes(10);
    assertThat(SegmentationProtocol.fromJson(other.toJson())).isEqualTo(other);
  }

  @Test
  void equality() {
    DetectionProtocol d = DetectionProtocol.quick();
    new EqualsTester()
        .addEqualityGroup(d, DetectionProtocol.fromJson(d.toJson()))
        .addEqualityGroup(d.withEpochs(2))
        .addEqualityGroup(d.withBatchSize(2))
        .addEqualityGroup(d.withNetWidth(2))
        .addEqualityGroup(d.withSeeds(List.of(9L)))
        .addEqualityGroup(d.withTestScenes(9))
        .testEquals();
    SegmentationProtocol s = SegmentationProtocol.quick();
    new EqualsTester()
        .addEqualityGroup(s, SegmentationProtocol.fromJson(s.toJson()))
        .addEqualityGroup(s.withEpochs(2))
        .addEqualityGroup(s.withOptimizer(OptimizerKind.SGD, 0.1, 0.5))
        .testEquals();
  }

  @Test
  void badValuesAreNamed() {
    DetectionProtocol d = DetectionProtocol.quick();
    assertThatThrownBy(() -> d.withEpochs(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("epochs must be >= 1 but was 0");
    assertThatThrownBy(() -> d.withBatchSize(-1)).hasMessage("batchSize must be >= 1 but was -1");
    assertThatThrownBy(() -> d.withOptimizer(OptimizerKind.ADAM, 1e-3, 0.9))
        .hasMessage("momentum must be 0 with optimizer ADAM (it is SGD's) but was 0.9");
    assertThatThrownBy(() -> d.withOptimizer(OptimizerKind.SGD, Double.NaN, 0.9))
        .hasMessage("learningRate must be finite and > 0 but was NaN");
    assertThatThrownBy(() -> d.withOptimizer(OptimizerKind.SGD, 0.1, 1.0))
        .hasMessage("momentum must be in [0, 1) but was 1.0");
    assertThatThrownBy(() -> d.withSeeds(List.of()))
        .hasMessage("seeds must not be empty but was []");
    assertThatThrownBy(() -> d.withTestScenes(0)).hasMessage("testScenes must be >= 1 but was 0");
    assertThatThrownBy(() -> SegmentationProtocol.quick().withNetWidth(0))
        .hasMessage("netWidth must be >= 1 but was 0");
  }

  @Test
  void theFlatFormNamesEveryTrainingChoice() {
    assertThat(DetectionProtocol.quick().toMap())
        .containsEntry("epochs", "40")
        .containsEntry("batchSize", "16")
        .containsEntry("optimizer", "ADAM")
        .containsEntry("learningRate", "0.005")
        .containsEntry("momentum", "0.0")
        .containsEntry("augmentation", "none")
        .containsEntry("student.netWidth", "8")
        .containsEntry("seeds", "0")
        .containsEntry("testScenes", "500")
        .containsEntry("maxDetections", "100")
        .containsEntry("device", "cpu")
        .containsEntry("dtype", "Float");
    assertThat(SegmentationProtocol.quick().toMap())
        .containsEntry("epochs", "100")
        .containsEntry("testScenes", "500")
        .doesNotContainKey("maxDetections");
  }

  @Test
  void nullsAreRejected() {
    NullPointerTester t =
        new NullPointerTester()
            .setDefault(DeviceOptions.class, DeviceOptions.cpu())
            .setDefault(DetectionProtocol.class, DetectionProtocol.quick())
            .setDefault(SegmentationProtocol.class, SegmentationProtocol.quick())
            .setDefault(dev.distill.core.data.FashionMnistScenes.class, EvalScenes.test());
    t.testAllPublicConstructors(DetectionProtocol.class);
    t.testAllPublicConstructors(SegmentationProtocol.class);
    t.testAllPublicInstanceMethods(DetectionProtocol.quick());
    t.testAllPublicInstanceMethods(SegmentationProtocol.quick());
    t.testAllPublicStaticMethods(DetectionProtocol.class);
    t.testAllPublicStaticMethods(SegmentationProtocol.class);
    t.testAllPublicStaticMethods(DetectionEvaluator.class);
    t.testAllPublicStaticMethods(SegmentationEvaluator.class);
  }
}
