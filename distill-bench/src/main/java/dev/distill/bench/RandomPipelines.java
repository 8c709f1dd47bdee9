package dev.distill.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.distill.core.config.JsonConfig;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.sdxl.internal.nn.ModelWeights;
import dev.distill.sdxl.text.ClipTextConfig;
import dev.distill.sdxl.text.ClipTextModel;
import dev.distill.sdxl.unet.UNet2DConditionModel;
import dev.distill.sdxl.unet.UNetConfig;
import dev.distill.sdxl.vae.AutoencoderKL;
import dev.distill.sdxl.vae.VaeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Materialises a diffusers pipeline folder that has configs but no weights (such as the {@code
 * sdxl-mid} fixture) into a temporary folder with seeded random float32 weights, so that {@code
 * SdxlPipeline.load} can read it like a real checkpoint.
 *
 * <p>Every model is built once from {@link ModelWeights#generating} (which checks that the config
 * implies every weight's shape) and its weights are written with {@link Safetensors#write}. Not
 * thread-safe; the caller deletes the folder with {@link #deleteRecursively}.
 */
final class RandomPipelines {
  private RandomPipelines() {}

  /**
   * Copies the configs and tokenizers of {@code configDir} into a new temporary folder and writes
   * random weights for {@code unet}, {@code vae}, {@code text_encoder} and {@code text_encoder_2}.
   *
   * @param configDir a pipeline folder (weights, if any, are ignored)
   * @param seed the seed of the random weights
   * @return the new folder, owned by the caller
   * @throws IOException if copying or writing fails
   */
  public static Path materialize(Path configDir, long seed) throws IOException {
    checkNotNull(configDir, "configDir");
    checkArgument(
        Files.isRegularFile(configDir.resolve("model_index.json")),
        "configDir must be a diffusers pipeline folder with model_index.json but was %s",
        configDir);
    Path out = Files.createTempDirectory("distill-bench-random-");
    try (Stream<Path> files = Files.walk(configDir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = out.resolve(configDir.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().endsWith(".safetensors")
            && !p.getFileName().toString().endsWith(".bin")) {
          Files.copy(p, target);
        }
      }
    }
    Device cpu = new Device("cpu");
    writeUnet(out.resolve("unet"), cpu, seed);
    writeVae(out.resolve("vae"), cpu, seed + 1);
    if (Files.isDirectory(out.resolve("text_encoder"))) {
      writeClip(out.resolve("text_encoder"), false, cpu, seed + 2);
    }
    writeClip(out.resolve("text_encoder_2"), true, cpu, seed + 3);
    return out;
  }

  private static void writeUnet(Path dir, Device cpu, long seed) throws IOException {
    UNetConfig config = UNetConfig.from(JsonConfig.read(dir.resolve("config.json")));
    try (TensorScope s = TensorScope.open();
        UNet2DConditionModel m =
            UNet2DConditionModel.of(
                config, ModelWeights.generating("unet", ScalarType.Float, cpu, seed))) {
      Safetensors.write(
          dir.resolve("diffusion_pytorch_model.safetensors"), m.weights().tensors(), Map.of());
    }
  }

  private static void writeVae(Path dir, Device cpu, long seed) throws IOException {
    VaeConfig config = VaeConfig.from(JsonConfig.read(dir.resolve("config.json")));
    try (TensorScope s = TensorScope.open();
        AutoencoderKL m =
            AutoencoderKL.of(config, ModelWeights.generating("vae", ScalarType.Float, cpu, seed))) {
      Safetensors.write(
          dir.resolve("diffusion_pytorch_model.safetensors"), m.weights().tensors(), Map.of());
    }
  }

  private static void writeClip(Path dir, boolean projection, Device cpu, long seed)
      throws IOException {
    JsonConfig json = JsonConfig.read(dir.resolve("config.json"));
    ClipTextConfig config = ClipTextConfig.from(json, projection);
    ModelWeights w =
        ModelWeights.generating(dir.getFileName().toString(), ScalarType.Float, cpu, seed);
    // ClipTextModel.of asks for the token embedding with an open shape: create it first.
    int hidden = json.getInt("hidden_size");
    w.get("text_model.embeddings.token_embedding.weight", json.getInt("vocab_size"), hidden);
    if (projection) {
      w.get("text_projection.weight", json.getInt("projection_dim", hidden), hidden);
    }
    try (TensorScope s = TensorScope.open();
        ClipTextModel m = ClipTextModel.of(config, w)) {
      Safetensors.write(dir.resolve("model.safetensors"), w.tensors(), Map.of());
    }
  }

  /**
   * Deletes a folder made by {@link #materialize}.
   *
   * @param dir the folder
   */
  public static void deleteRecursively(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
