package dev.distill.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.core.data.LabeledImages;
import dev.distill.core.method.Herding;
import dev.distill.core.method.MixedReal;
import dev.distill.core.method.ModeGuided;
import dev.distill.core.method.RandomReal;
import dev.distill.core.tensor.Rng;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MixedRealTest {
  private static final List<String> NAMES = List.of("a", "b", "c", "d");
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  private TensorScope scope;
  private LabeledImages train;
  private LabeledImages heldOut;

  private static LabeledImages data(long seed, float offset) {
    int n = 48;
    Tensor images =
        torch
            .tanh(Rng.normal(seed, n, 1, 8, 8))
            .mul(Tensors.scalar(0.5))
            .add(Tensors.scalar(offset));
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 4;
    }
    return LabeledImages.copyOf(images, Tensors.fromInts(labels), NAMES);
  }

  @org.junit.jupiter.api.BeforeAll
  static void oneThread() {
    torch.set_num_threads(1);
  }

  @BeforeEach
  void setUp() {
    scope = TensorScope.open();
    // 4 classes x 12 images; the held-out set lives in another value range ([-1, 0) vs (0, 1])
    train = data(5, 0.5f);
    heldOut = data(6, -0.5f);
  }

  @AfterEach
  void tearDown() {
    train.close();
    heldOut.close();
    scope.close();
  }

  private DistillMethod mixed(String selection) {
    DistillMethod sel =
        selection.equals("herding")
            ? Herding.of(new FakeSampler(1, 8, 8).latentEncoder())
            : RandomReal.of();
    return MixedReal.of(ModeGuided.defaults(), 0.5, sel);
  }

  private DistillResult run(DistillMethod method, int ipc, String dir) throws Exception {
    return Distill.from(train)
        .method(method)
        .sampler(new FakeSampler(1, 8, 8))
        .ipc(ipc)
        .seed(11)
        .numSteps(3)
        .batchSize(3)
        .run(tmp.resolve(dir));
  }

  private static List<String> sources(DistillResult r) throws Exception {
    return JSON.readValue(
        r.set().provenance().config().get("imageSources"), new TypeReference<List<String>>() {});
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"random", "herding"})
  void mixedRealCountsInTheIpcAndMarksEveryImage(String selection) throws Exception {
    try (DistillResult r = run(mixed(selection), 5, "m")) {
      assertThat(r.set().size()).isEqualTo(20);
      assertThat(r.set().labels())
          .containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3);
      String real = "real:" + (selection.equals("herding") ? "herding" : "random-real");
      List<String> perClass = List.of(real, real, "generated", "generated", "generated");
      List<String> expected = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        expected.addAll(perClass);
      }
      assertThat(sources(r)).isEqualTo(expected);
      assertThat(r.set().provenance().method()).isEqualTo("mode-guided+real");
      assertThat(r.set().provenance().config()).containsEntry("method.mixedReal.fraction", "0.5");
    }
  }

  @Test
  void mixingIsDeterministic() throws Exception {
    try (DistillResult a = run(mixed("random"), 4, "a");
        DistillResult b = run(mixed("random"), 4, "b")) {
      assertThat(a.set().images().equal(b.set().images())).isTrue();
      assertThat(sources(a)).isEqualTo(sources(b));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"random", "herding"})
  void realImagesAreTrainingImagesOfTheirClassAndNeverHeldOut(String selection) throws Exception {
    try (DistillResult r = run(mixed(selection), 4, "h")) {
      List<String> src = sources(r);
      Tensor images = r.set().images();
      int realSeen = 0;
      for (int i = 0; i < src.size(); i++) {
        if (!src.get(i).startsWith("real:")) {
          continue;
        }
        realSeen++;
        int c = r.set().labels().get(i);
        Tensor img = images.narrow(0, i, 1);
        assertThat(matches(img, train, c))
            .as("image %s is a training image of class %s", i, c)
            .isTrue();
        for (int k = 0; k < 4; k++) {
          assertThat(matches(img, heldOut, k)).as("image %s is a held-out image", i).isFalse();
        }
      }
      assertThat(realSeen).isEqualTo(8);
    }
  }

  @Test
  void aFractionBelowOneImageMixesNothingAndBadInputIsRefused() throws Exception {
    try (DistillResult r =
        run(MixedReal.of(ModeGuided.defaults(), 0.2, RandomReal.of()), 4, "none")) {
      assertThat(sources(r)).containsOnly("generated").hasSize(16);
    }
    assertThat(MixedReal.realPerClass(10, 0.2)).isEqualTo(2);
    assertThat(MixedReal.realPerClass(50, 0.2)).isEqualTo(10);
    assertThatThrownBy(() -> MixedReal.of(ModeGuided.defaults(), 1.0, RandomReal.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fraction must be in [0, 1) but was 1.0");
    assertThatThrownBy(() -> MixedReal.of(ModeGuided.defaults(), 0.5, ModeGuided.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("selection must choose real images");
  }

  private static boolean matches(Tensor img, LabeledImages data, int c) {
    Tensor all = data.load(c, 0, data.classSize(c));
    for (long j = 0; j < all.size(0); j++) {
      if (Tensors.maxAbsDiff(all.narrow(0, j, 1), img) < 1e-6) {
        return true;
      }
    }
    return false;
  }
}
