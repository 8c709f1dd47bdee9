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

/** The scene protocol record: validation, equality, JSON round trip and the flat report form. */
class EvalProtocolsTest {

  @Test
  void detectionProtocolRoundTripsThroughJson() {
    SceneProtocol quick = SceneProtocol.quickDetection();
    assertThat(SceneProtocol.fromJson(quick.toJson())).isEqualTo(quick);
    SceneProtocol other =
        quick
            .withOptimizer(OptimizerKind.SGD, 0.05, 0.9)
            .withSeeds(List.of(3L, 4L))
            .withDevice(DeviceOptions.cpu(ScalarType.BFloat16));
    assertThat(SceneProtocol.fromJson(other.toJson())).isEqualTo(other);
    assertThatThrownBy(() -> SceneProtocol.fromJson("{\"epochs\": 0}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("json must be a SceneProtocol");
  }

  @Test
  void segmentationProtocolRoundTripsThroughJson() {
    SceneProtocol quick = SceneProtocol.quickSegmentation();
    assertThat(SceneProtocol.fromJson(quick.toJson())).isEqualTo(quick);
    SceneProtocol other = quick.withBatchSize(4).withNetWidth(16).withTestScenes(10);
    assertThat(SceneProtocol.fromJson(other.toJson())).isEqualTo(other);
  }

  @Test
  void equality() {
    SceneProtocol d = SceneProtocol.quickDetection();
    new EqualsTester()
        .addEqualityGroup(d, SceneProtocol.fromJson(d.toJson()))
        .addEqualityGroup(d.withEpochs(2))
        .addEqualityGroup(d.withBatchSize(2))
        .addEqualityGroup(d.withNetWidth(2))
        .addEqualityGroup(d.withSeeds(List.of(9L)))
        .addEqualityGroup(d.withTestScenes(9))
        .addEqualityGroup(d.withMaxDetections(9))
        .testEquals();
    SceneProtocol s = SceneProtocol.quickSegmentation();
    new EqualsTester()
        .addEqualityGroup(s, SceneProtocol.fromJson(s.toJson()))
        .addEqualityGroup(s.withEpochs(2))
        .addEqualityGroup(s.withOptimizer(OptimizerKind.SGD, 0.1, 0.5))
        .testEquals();
  }

  @Test
  void badValuesAreNamed() {
    SceneProtocol d = SceneProtocol.quickDetection();
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
    assertThatThrownBy(() -> d.withMaxDetections(0))
        .hasMessage("maxDetections must be >= 1 but was 0");
    assertThatThrownBy(() -> SceneProtocol.quickSegmentation().withNetWidth(0))
        .hasMessage("netWidth must be >= 1 but was 0");
  }

  @Test
  void theFlatFormNamesEveryTrainingChoice() {
    assertThat(SceneProtocol.quickDetection().toMap())
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
    assertThat(SceneProtocol.quickSegmentation().toMap())
        .containsEntry("epochs", "100")
        .containsEntry("testScenes", "500");
    assertThat(SceneProtocol.quickSegmentation())
        .isEqualTo(SceneProtocol.quickDetection().withEpochs(100));
  }

  @Test
  void nullsAreRejected() {
    NullPointerTester t =
        new NullPointerTester()
            .setDefault(DeviceOptions.class, DeviceOptions.cpu())
            .setDefault(SceneProtocol.class, SceneProtocol.quickDetection())
            .setDefault(SceneProtocol.class, SceneProtocol.quickSegmentation())
            .setDefault(dev.distill.core.data.FashionMnistScenes.class, EvalScenes.test());
    t.testAllPublicConstructors(SceneProtocol.class);
    t.testAllPublicConstructors(SceneProtocol.class);
    t.testAllPublicInstanceMethods(SceneProtocol.quickDetection());
    t.testAllPublicInstanceMethods(SceneProtocol.quickSegmentation());
    t.testAllPublicStaticMethods(SceneProtocol.class);
    t.testAllPublicStaticMethods(SceneProtocol.class);
    t.testAllPublicStaticMethods(DetectionEvaluator.class);
    t.testAllPublicStaticMethods(SegmentationEvaluator.class);
  }
}
