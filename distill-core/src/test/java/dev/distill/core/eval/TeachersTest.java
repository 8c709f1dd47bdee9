package dev.distill.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.randn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.io.Idx;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
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
    Path dir = Path.of(System.getProperty("distill.fashionMnist", "/usr/share/datasets/fashion-mnist"));
    assertThat(Files.isDirectory(dir))
        .as("Fashion-MNIST IDX files must be at %s (set -Ddistill.fashionMnist=DIR)", dir)
        .isTrue();
    int n = 1000;
    Idx.ByteArray images = Idx.read(dir.resolve("t10k-images-idx3-ubyte.gz"));
    Idx.ByteArray labels = Idx.read(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      y[i] = labels.data()[i] & 0xff;
    }
    try (ConvNet teacher = Teachers.fashionMnist();
        TensorScope s = TensorScope.open()) {
      Tensor x =
          Tensors.fromBytes(Arrays.copyOf(images.data(), n * 784), n, 1, 28, 28)
              .to(ScalarType.Float)
              .div(new Scalar(127.5))
              .sub(new Scalar(1.0));
      TopKAccuracy acc = ClassifierTrainer.accuracy(teacher, x, Tensors.fromLongs(y, n), 100);
      assertThat(acc.top1()).isGreaterThanOrEqualTo(88.0);
      assertThat(acc.top5()).isGreaterThanOrEqualTo(99.0);
    }
  }
}
