package dev.distill.core.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.distill.api.TeacherLogits;
import dev.distill.core.nn.ConvNet;
import dev.distill.core.nn.ConvNetConfig;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StoredSoftLabelMatcherTest {
  @BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  @ParameterizedTest(name = "T = {0}")
  @ValueSource(doubles = {1.0, 4.0, 20.0})
  void storedLogitsGiveTheLiveTeachersLossOnUnaugmentedImages(double temperature) {
    try (TensorScope scope = TensorScope.open();
        ConvNet teacher =
            ConvNet.of(ConvNetConfig.of(1, 8, 8, 5).withNetWidth(8).withNetDepth(2), 3)) {
      torch.manual_seed(5);
      Tensor images = torch.rand(6, 1, 8, 8).mul(new Scalar(2.0)).sub(new Scalar(1.0));
      Tensor labels = Tensors.fromInts(new int[] {0, 1, 2, 3, 4, 0});
      Tensor stored;
      try (NoGradGuard g = new NoGradGuard()) {
        stored = teacher.forward(images).detach().clone();
      }
      Tensor live = torch.randn(6, 5).requires_grad_(true);
      Tensor fromStored = live.detach().clone().requires_grad_(true);
      Tensor a = SoftLabelMatcher.of(teacher, temperature).loss(live, images, labels);
      Tensor b =
          StoredSoftLabelMatcher.of()
              .loss(
                  fromStored,
                  images,
                  labels,
                  TeacherLogits.of(stored, temperature, teacher.name()));
      assertThat(b.item_double()).isCloseTo(a.item_double(), within(1e-5));
      a.backward();
      b.backward();
      assertThat(Tensors.maxAbsDiff(live.grad(), fromStored.grad())).isLessThan(1e-5);
      Tensor c =
          StoredSoftLabelMatcher.of(temperature)
              .loss(fromStored, images, labels, TeacherLogits.of(stored, 99.0, teacher.name()));
      assertThat(c.item_double()).isCloseTo(a.item_double(), within(1e-5));
    }
  }

  @Test
  void aBatchWithoutStoredLogitsIsANamedError() {
    try (TensorScope scope = TensorScope.open()) {
      assertThatThrownBy(
              () ->
                  StoredSoftLabelMatcher.of()
                      .loss(
                          torch.zeros(2, 5),
                          torch.zeros(2, 1, 8, 8),
                          Tensors.fromInts(new int[] {0, 1})))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("stored teacher logits")
          .hasMessageContaining("Distill.softLabels");
    }
  }

  @Test
  void storedRowsOfAnotherShapeAreRejected() {
    try (TensorScope scope = TensorScope.open()) {
      TeacherLogits three = TeacherLogits.of(torch.zeros(3, 5), 2.0, "t");
      assertThatThrownBy(
              () ->
                  StoredSoftLabelMatcher.of()
                      .loss(
                          torch.zeros(2, 5),
                          torch.zeros(2, 1, 8, 8),
                          Tensors.fromInts(new int[] {0, 1}),
                          three))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[3, 5]");
    }
  }

  @Test
  void aNonPositiveTemperatureIsRejected() {
    assertThatThrownBy(() -> StoredSoftLabelMatcher.of(0.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature must be finite and > 0 but was 0.0");
  }
}
