package dev.distill.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.randn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TeachersTest {
  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  @Test
  void fashionMnistTeacherLoadsWithLogitsAndPenultimateFeatures() {
    try (ConvNet teacher = Teachers.fashionMnist();
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor x = randn(3, 1, 28, 28);
      assertThat(Tensors.shape(teacher.forward(x))).containsExactly(3, 10);
      assertThat(Tensors.shape(teacher.penultimate(x))).containsExactly(3, teacher.featureDim());
      assertThat(teacher.config().netDepth()).isEqualTo(3);
    }
  }

  @Test
  void trainingRecordReportsAtLeastNinetyPercentTestAccuracy() throws Exception {
    JsonNode record = new ObjectMapper().readTree(Teachers.fashionMnistRecord());
    assertThat(record.get("testTop1").asDouble()).isGreaterThanOrEqualTo(90.0);
    assertThat(record.get("testImages").asInt()).isEqualTo(10_000);
    assertThat(record.get("trainImages").asInt()).isEqualTo(60_000);
    assertThat(record.get("command").asText()).startsWith("TrainTeacher");
  }

  @Test
  void classifiesRealFashionMnistTestImages() throws Exception {
    int n = 1000;
    try (ConvNet teacher = Teachers.fashionMnist();
        TensorScope s = TensorScope.open();
        dev.distill.core.data.LabeledImages test = dev.distill.core.data.FashionMnist.test()) {
      Tensor x = test.images().narrow(0, 0, n);
      Tensor y = test.labels().narrow(0, 0, n);
      TopKAccuracy acc = ClassifierTrainer.accuracy(teacher, x, y, 100);
      assertThat(acc.top1()).isGreaterThanOrEqualTo(88.0);
      assertThat(acc.top5()).isGreaterThanOrEqualTo(99.0);
    }
  }
}
