package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SmallUNetTest {
  private static final long SEED = Long.getLong("distill.seed", 20261126L);

  static Stream<Arguments> randomConfigs() {
    Random r = new Random(SEED);
    List<Arguments> out = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int levels = 1 + r.nextInt(3);
      int patch = 1 + r.nextInt(2);
      int base = 4 * (1 + r.nextInt(3));
      List<Integer> ch = new ArrayList<>();
      for (int l = 0; l < levels; l++) {
        ch.add(base * (1 + r.nextInt(2)));
      }
      int size = patch * (1 << (levels - 1)) * (1 + r.nextInt(3));
      SmallUNetConfig c =
          SmallUNetConfig.builder()
              .image(1 + r.nextInt(3), size)
              .patchSize(patch)
              .numClasses(1 + r.nextInt(4))
              .channels(ch)
              .normGroups(4)
              .resBlocksPerLevel(1 + r.nextInt(2))
              .attentionAtLowest(r.nextBoolean())
              .build();
      out.add(Arguments.of("seed " + SEED + " case " + i, c));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("randomConfigs")
  void outputHasTheInputShape(String name, SmallUNetConfig c) {
    try (SmallUNet net = TinyNets.random(c, 1);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      int n = 2;
      Tensor x = torch.randn(n, c.imageChannels(), c.imageSize(), c.imageSize());
      Tensor out =
          net.forward(
              x,
              Tensors.fromFloats(new float[] {0, 999}, n),
              Tensors.fromLongs(new long[] {0, c.nullClass()}, n));
      assertThat(Tensors.shape(out)).containsExactly(Tensors.shape(x));
      assertThat(Tensors.hasNonFinite(out)).isFalse();
    }
  }

  @Test
  void forwardsColourImagesOf32Pixels() {
    SmallUNetConfig c =
        SmallUNetConfig.builder().image(3, 32).channels(List.of(8, 16, 16)).normGroups(4).build();
    try (SmallUNet net = TinyNets.random(c, 3);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor out =
          net.forward(
              torch.randn(1, 3, 32, 32),
              Tensors.fromFloats(new float[] {10}, 1),
              Tensors.fromLongs(new long[] {3}, 1));
      assertThat(Tensors.shape(out)).containsExactly(1, 3, 32, 32);
    }
  }

  @Test
  void freshNetworkPredictsZeroBecauseItsOutputConvolutionStartsAtZero() {
    SmallUNetConfig c = TinyNets.config();
    try (SmallUNet net = SmallUNet.initialize(c, 1);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      Tensor out =
          net.forward(
              torch.randn(2, 1, 8, 8),
              Tensors.fromFloats(new float[] {1, 2}, 2),
              Tensors.fromLongs(new long[] {0, 1}, 2));
      assertThat(out.abs().max().item_double()).isZero();
    }
  }

  @Test
  void sameSeedInitialisesIdentically() {
    SmallUNetConfig c = TinyNets.config();
    try (SmallUNet a = SmallUNet.initialize(c, 9);
        SmallUNet b = SmallUNet.initialize(c, 9)) {
      for (Map.Entry<String, Tensor> e : a.parameters().entrySet()) {
        assertThat(Tensors.maxAbsDiff(e.getValue(), b.parameters().get(e.getKey())))
            .as(e.getKey())
            .isZero();
      }
    }
  }

  @Test
  void saveThenLoadGivesTheSameOutputs(@TempDir Path dir) throws Exception {
    SmallUNetConfig c = TinyNets.config();
    Path file = dir.resolve("w.safetensors");
    try (SmallUNet net = TinyNets.random(c, 4);
        TensorScope s = TensorScope.open();
        NoGradGuard g = new NoGradGuard()) {
      net.save(file, Map.of("k", "v"));
      try (SmallUNet back = SmallUNet.load(c, file)) {
        Tensor x = torch.randn(2, 1, 8, 8);
        Tensor t = Tensors.fromFloats(new float[] {5, 500}, 2);
        Tensor y = Tensors.fromLongs(new long[] {1, 2}, 2);
        assertThat(Tensors.maxAbsDiff(net.forward(x, t, y), back.forward(x, t, y))).isZero();
      }
    }
    assertThat(Files.size(file)).isGreaterThan(0);
  }

  @Test
  void loadingRejectsMissingParametersNamingThem() {
    SmallUNetConfig c = TinyNets.config();
    try (SmallUNet net = SmallUNet.initialize(c, 1)) {
      Map<String, Tensor> partial = new java.util.LinkedHashMap<>(net.parameters());
      partial.remove("conv_out.bias");
      assertThatThrownBy(() -> SmallUNet.fromTensors(c, partial))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("conv_out.bias");
    }
  }

  @Test
  void rejectsImagesOfTheWrongSize() {
    SmallUNetConfig c = TinyNets.config();
    try (SmallUNet net = SmallUNet.initialize(c, 1);
        TensorScope s = TensorScope.open()) {
      assertThatThrownBy(
              () ->
                  net.forward(
                      torch.randn(1, 1, 9, 9),
                      Tensors.fromFloats(new float[] {1}, 1),
                      Tensors.fromLongs(new long[] {0}, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("x must have shape [*, 1, 8, 8] but had [1, 1, 9, 9]");
    }
  }
}
