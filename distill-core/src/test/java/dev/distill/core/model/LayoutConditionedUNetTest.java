package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.Conditioning;
import dev.distill.api.SampleRequest;
import dev.distill.api.SampleResult;
import dev.distill.api.annotation.BoundingBox;
import dev.distill.api.annotation.ImageAnnotations;
import dev.distill.api.annotation.ObjectAnnotation;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The spatial condition channels of {@link SmallUNet}, the trainer and the sampler. */
class LayoutConditionedUNetTest {
  /** 1×8×8, two classes, a 3-channel layout (two categories). */
  static SmallUNetConfig config() {
    return SmallUNetConfig.builder()
        .image(1, 8)
        .numClasses(2)
        .channels(List.of(8, 16))
        .normGroups(4)
        .conditionChannels(LayoutMap.channels(2))
        .build();
  }

  private static ImageAnnotations fullBox(int category) {
    return ImageAnnotations.of(
        8,
        8,
        List.of(new ObjectAnnotation(category, BoundingBox.of(0, 0, 8, 8), Optional.empty())));
  }

  @Test
  void configWithConditionChannelsRoundTripsAndOldJsonReadsAsNone() {
    SmallUNetConfig c = config();
    assertThat(SmallUNetConfig.fromJson(c.toJson())).isEqualTo(c);
    String old = TinyNets.config().toJson().replace(",\n  \"conditionChannels\" : 0", "");
    assertThat(old).doesNotContain("conditionChannels");
    assertThat(SmallUNetConfig.fromJson(old).conditionChannels()).isZero();
    assertThatThrownBy(() -> SmallUNetConfig.builder().conditionChannels(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("conditionChannels must be >= 0 but was -1");
  }

  @Test
  void aNullConditionEqualsZerosAndALayoutChangesTheOutput() {
    try (SmallUNet net = TinyNets.random(config(), 3);
        TensorScope s = TensorScope.open()) {
      Tensor x = torch.randn(2, 1, 8, 8);
      Tensor t = Tensors.fromFloats(new float[] {10, 500}, 2);
      Tensor ids = Tensors.fromLongs(new long[] {0, 1}, 2);
      Tensor none = net.forward(x, t, ids, null);
      Tensor zeros = net.forward(x, t, ids, torch.zeros(2, 3, 8, 8));
      Tensor layout = LayoutMap.batch(List.of(fullBox(1), fullBox(2)), 2, 8);
      Tensor given = net.forward(x, t, ids, layout);
      assertThat(none.sub(zeros).abs().max().item_double()).isZero();
      assertThat(none.sub(given).abs().max().item_double()).isGreaterThan(1e-3);
      assertThat(net.forward(x, t, ids).sub(none).abs().max().item_double()).isZero();
    }
  }

  @Test
  void conditionShapesAndNetworksWithoutChannelsAreChecked() {
    try (SmallUNet net = TinyNets.random(config(), 3);
        SmallUNet plain = TinyNets.random(TinyNets.config(), 3);
        TensorScope s = TensorScope.open()) {
      Tensor x = torch.randn(1, 1, 8, 8);
      Tensor t = Tensors.fromFloats(new float[] {10}, 1);
      Tensor ids = Tensors.fromLongs(new long[] {0}, 1);
      assertThatThrownBy(() -> net.forward(x, t, ids, torch.zeros(1, 2, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("condition")
          .hasMessageContaining("[1, 2, 8, 8]");
      assertThatThrownBy(() -> plain.forward(x, t, ids, torch.zeros(1, 3, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("without condition channels");
    }
  }

  @Test
  void theTrainerNeedsConditionsOfTheImagesShape() {
    TrainerConfig tc = TrainerConfig.defaults().withNumSteps(2).withBatchSize(8).withSeed(1);
    try (TensorScope s = TensorScope.open();
        DiffusionTrainer trainer =
            DiffusionTrainer.of(config(), tc, TinyNets.stripes(1), TinyNets.stripeLabels())) {
      assertThatThrownBy(trainer::trainStep)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("a network with 3 condition channels needs conditions(...) before training");
      assertThatThrownBy(() -> trainer.conditions(torch.zeros(63, 3, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("conditions");
      trainer.conditions(torch.zeros(64, 3, 8, 8));
      assertThat(trainer.trainStep()).isFinite();
    }
    try (TensorScope s = TensorScope.open();
        DiffusionTrainer plain =
            DiffusionTrainer.of(
                TinyNets.config(), tc, TinyNets.stripes(1), TinyNets.stripeLabels())) {
      assertThatThrownBy(() -> plain.conditions(torch.zeros(64, 3, 8, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("conditions need a network with condition channels but it has none");
    }
  }

  /**
   * Horizontal stripes are labelled with a layout of category 1, vertical ones with category 2, and
   * every image has the same class: after a short training, the layout alone decides the
   * orientation of the samples.
   */
  @Test
  void aTrainedModelFollowsTheLayout() {
    TrainerConfig tc =
        TrainerConfig.defaults()
            .withNumSteps(400)
            .withBatchSize(16)
            .withSeed(7)
            .withLearningRate(3e-3, 3e-4);
    try (TensorScope s = TensorScope.open()) {
      Tensor images = TinyNets.stripes(5);
      Tensor oneClass = Tensors.fromLongs(new long[64], 64);
      List<ImageAnnotations> layouts = new java.util.ArrayList<>();
      for (int n = 0; n < 64; n++) {
        layouts.add(fullBox(n % 2 == 0 ? 1 : 2)); // stripes(): even n horizontal, odd vertical
      }
      try (DiffusionTrainer trainer = DiffusionTrainer.of(config(), tc, images, oneClass)) {
        trainer.conditions(LayoutMap.batch(layouts, 2, 8));
        while (trainer.step() < tc.numSteps()) {
          trainer.trainStep();
        }
        BuiltinSampler sampler = BuiltinSampler.ddim(trainer.ema());
        assertThat(sampler.layoutConditioned()).isTrue();
        int agree = 0;
        int total = 8;
        for (int i = 0; i < total; i++) {
          int category = i % 2 == 0 ? 1 : 2;
          SampleRequest req =
              SampleRequest.builder(List.of(Conditioning.ofClass(0).withLayout(fullBox(category))))
                  .seeds(List.of(100L + i))
                  .numSteps(20)
                  .build();
          try (SampleResult r = sampler.sample(req)) {
            boolean horizontal = rowVariation(r.images()) < columnVariation(r.images());
            if (horizontal == (category == 1)) {
              agree++;
            }
          }
        }
        assertThat(agree)
            .as("samples whose orientation follows the layout")
            .isGreaterThanOrEqualTo(7);
      }
    }
  }

  /** Mean |difference| between horizontally adjacent pixels (small for horizontal stripes). */
  private static double rowVariation(Tensor image) {
    float[] v = Tensors.toFloats(image);
    double sum = 0;
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 7; x++) {
        sum += Math.abs(v[y * 8 + x + 1] - v[y * 8 + x]);
      }
    }
    return sum;
  }

  private static double columnVariation(Tensor image) {
    float[] v = Tensors.toFloats(image);
    double sum = 0;
    for (int y = 0; y < 7; y++) {
      for (int x = 0; x < 8; x++) {
        sum += Math.abs(v[(y + 1) * 8 + x] - v[y * 8 + x]);
      }
    }
    return sum;
  }
}
