package dev.distill.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.distill.api.ProgressListener;
import dev.distill.core.tensor.DeviceOptions;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in autoencoder: config, shapes, IO, gradients and training. */
class SmallAutoencoderTest {
  private static final DeviceOptions CPU = DeviceOptions.cpu();

  @Test
  void configRoundTripsThroughJsonAndDerivesTheLatentShape() {
    SmallAutoencoderConfig c = SmallAutoencoderConfig.defaults().withScalingFactor(0.37);
    assertThat(SmallAutoencoderConfig.fromJson(c.toJson())).isEqualTo(c);
    assertThat(c.downsampleFactor()).isEqualTo(4);
    assertThat(c.latentSize()).isEqualTo(7);
    assertThat(TinyNets.autoencoderConfig().latentSize()).isEqualTo(2);
  }

  @Test
  void badConfigsAreNamed() {
    assertThatThrownBy(() -> new SmallAutoencoderConfig(1, 30, 2, 4, List.of(32, 64), 1, 8, 1.0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imageSize must be a positive multiple of")
        .hasMessageContaining("= 4 but was 30");
    assertThatThrownBy(() -> SmallAutoencoderConfig.defaults().withScalingFactor(0))
        .hasMessageContaining("scalingFactor must be finite and > 0 but was 0.0");
    assertThatThrownBy(() -> new SmallAutoencoderConfig(1, 28, 2, 4, List.of(30, 64), 1, 8, 1.0))
        .hasMessageContaining("channels must be positive multiples of normGroups 8");
    String missing =
        SmallAutoencoderConfig.defaults().toJson().replaceAll("\"latentChannels\"[^,]*,", "");
    assertThatThrownBy(() -> SmallAutoencoderConfig.fromJson(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("json must be a SmallAutoencoderConfig")
        .hasMessageContaining("latentChannels");
  }

  @Test
  void encodeAndDecodeHaveTheConfiguredShapesAndScale() {
    SmallAutoencoderConfig c = TinyNets.autoencoderConfig();
    try (TensorScope s = TensorScope.open();
        SmallAutoencoder ae = TinyNets.randomAutoencoder(c, 3);
        SmallAutoencoder scaled = ae.withScalingFactor(2.5)) {
      Tensor x = TinyNets.stripes(1).narrow(0, 0, 5);
      Tensor z = ae.encode(x);
      assertThat(Tensors.shape(z)).containsExactly(5, 2, 2, 2);
      assertThat(Tensors.shape(ae.decode(z))).containsExactly(5, 1, 8, 8);
      // the scaling factor multiplies the latents and is undone by decode
      assertThat(Tensors.maxAbsDiff(scaled.encode(x), z.mul(Tensors.scalar(2.5)))).isLessThan(1e-5);
      assertThat(Tensors.maxAbsDiff(scaled.decode(scaled.encode(x)), ae.decode(z)))
          .isLessThan(1e-5);
      assertThatThrownBy(() -> ae.encode(torch.zeros(2, 1, 6, 6)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("images");
      assertThatThrownBy(() -> ae.decode(torch.zeros(2, 3, 2, 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("latents");
    }
  }

  @Test
  void savedWeightsLoadEqualAndWrongTensorsAreNamed(@TempDir Path dir) throws Exception {
    SmallAutoencoderConfig c = TinyNets.autoencoderConfig();
    Path file = dir.resolve("vae.safetensors");
    try (TensorScope s = TensorScope.open();
        SmallAutoencoder ae = TinyNets.randomAutoencoder(c, 4)) {
      ae.save(file, Map.of("k", "v"));
      try (SmallAutoencoder back = SmallAutoencoder.load(c, file, CPU)) {
        Tensor x = TinyNets.stripes(2).narrow(0, 0, 3);
        assertThat(Tensors.maxAbsDiff(back.decode(back.encode(x)), ae.decode(ae.encode(x))))
            .isZero();
      }
      Map<String, Tensor> partial = new LinkedHashMap<>(ae.parameters());
      partial.remove("dec.conv_out.bias");
      assertThatThrownBy(() -> SmallAutoencoder.fromTensors(c, partial, CPU))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tensors must have exactly the parameters");
      Map<String, Tensor> misshaped = new LinkedHashMap<>(ae.parameters());
      misshaped.put("enc.conv_in.bias", torch.zeros(3));
      assertThatThrownBy(() -> SmallAutoencoder.fromTensors(c, misshaped, CPU))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("enc.conv_in.bias");
    }
  }

  @Test
  void theDecoderPassesAFiniteNonZeroGradientToTheLatents() {
    try (TensorScope s = TensorScope.open();
        SmallAutoencoder ae = TinyNets.randomAutoencoder(TinyNets.autoencoderConfig(), 5)) {
      Tensor z = torch.randn(3, 2, 2, 2).set_requires_grad(true);
      Tensor loss = ae.decode(z).square().mean();
      Tensor g = torch.grad(new TensorVector(loss), new TensorVector(z)).get(0);
      assertThat(Tensors.hasNonFinite(g)).isFalse();
      assertThat(g.abs().max().item_double()).isGreaterThan(1e-6);
    }
  }

  @Test
  void trainingLowersTheReconstructionErrorAndTheScalingFactorGivesUnitVariance() {
    SmallAutoencoderConfig c = TinyNets.autoencoderConfig();
    try (TensorScope s = TensorScope.open();
        SmallAutoencoder ae = SmallAutoencoder.initialize(c, 7, CPU)) {
      Tensor x = TinyNets.stripes(3);
      double before = AutoencoderTrainer.reconstructionError(ae, x)[0];
      AutoencoderTrainer.Result r =
          AutoencoderTrainer.train(ae, x, 150, 16, 5e-3, 1e-4, 7, ProgressListener.NONE);
      double after = AutoencoderTrainer.reconstructionError(ae, x)[0];
      assertThat(r.steps()).isEqualTo(150);
      assertThat(r.lastLoss()).isLessThan(r.firstLoss());
      assertThat(after).isLessThan(0.5 * before);
      double factor = AutoencoderTrainer.scalingFactor(ae, x, 64);
      try (SmallAutoencoder scaled = ae.withScalingFactor(factor)) {
        Tensor z = scaled.encode(x).to(torch.ScalarType.Double);
        double mean = z.mean().item_double();
        double var = z.sub(Tensors.scalar(mean)).square().mean().item_double();
        assertThat(var).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
      }
    }
  }

  @Test
  void trainingIsDeterministicPerSeed() {
    SmallAutoencoderConfig c = TinyNets.autoencoderConfig();
    try (TensorScope s = TensorScope.open();
        SmallAutoencoder a = SmallAutoencoder.initialize(c, 8, CPU);
        SmallAutoencoder b = SmallAutoencoder.initialize(c, 8, CPU)) {
      Tensor x = TinyNets.stripes(4);
      AutoencoderTrainer.train(a, x, 10, 8, 1e-3, 1e-3, 9, ProgressListener.NONE);
      AutoencoderTrainer.train(b, x, 10, 8, 1e-3, 1e-3, 9, ProgressListener.NONE);
      assertThat(Tensors.maxAbsDiff(a.encode(x), b.encode(x))).isZero();
    }
  }

  @Test
  void badTrainingArgumentsAreNamed() {
    try (TensorScope s = TensorScope.open();
        SmallAutoencoder ae = SmallAutoencoder.initialize(TinyNets.autoencoderConfig(), 1, CPU)) {
      Tensor x = TinyNets.stripes(5);
      assertThatThrownBy(
              () -> AutoencoderTrainer.train(ae, x, 10, 65, 1e-3, 0, 1, ProgressListener.NONE))
          .hasMessageContaining("batchSize must be in [1, 64] but was 65");
      assertThatThrownBy(
              () -> AutoencoderTrainer.train(ae, x, 10, 8, 1e-3, -1, 1, ProgressListener.NONE))
          .hasMessageContaining("klWeight must be finite and >= 0 but was -1.0");
      assertThatThrownBy(
              () ->
                  AutoencoderTrainer.train(
                      ae, torch.zeros(4, 3, 8, 8), 10, 2, 1e-3, 0, 1, ProgressListener.NONE))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("images");
    }
  }
}
