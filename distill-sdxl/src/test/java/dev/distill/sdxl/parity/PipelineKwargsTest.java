package dev.distill.sdxl.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.core.io.Safetensors;
import dev.distill.core.tensor.TensorScope;
import dev.distill.core.tensor.Tensors;
import dev.distill.sdxl.internal.PipelineAccess;
import dev.distill.sdxl.nn.Fixtures;
import dev.distill.sdxl.pipeline.SdxlOptions;
import dev.distill.sdxl.pipeline.SdxlPipeline;
import dev.distill.sdxl.pipeline.SdxlRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the parity runner maps a case's diffusers kwargs onto a request, and what it rejects. */
class PipelineKwargsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T2I =
      "{\"prompt\": \"a cat\", \"negative_prompt\": \"blurry\", \"height\": 64, \"width\": 64,"
          + " \"num_inference_steps\": 4, \"guidance_scale\": 5.0";

  private static Path fixture;
  private static SdxlPipeline pipe;
  private static TensorScope scope;

  @BeforeAll
  static void load() throws IOException {
    Fixtures.useOneThread();
    scope = TensorScope.open();
    fixture = Fixtures.sdxlTiny();
    pipe = SdxlPipeline.load(fixture, SdxlOptions.cpu());
  }

  @AfterAll
  static void close() {
    pipe.close();
    scope.close();
  }

  private static JsonNode json(String text) throws IOException {
    return JSON.readTree(text);
  }

  private static PipelineKwargs textToImage(String extra, int batch) throws IOException {
    return PipelineKwargs.parse(
        "case_a", PipelineKwargs.Kind.TEXT_TO_IMAGE, json(T2I + extra + "}"), batch, 1024);
  }

  private static float[] timeIds(PipelineKwargs kw, boolean cfg) {
    try (TensorScope s = TensorScope.open()) {
      SdxlRequest r = kw.builder().build();
      return Tensors.toFloats(PipelineAccess.get().addTimeIds(r, cfg));
    }
  }

  /** Copies one case of the real fixture into {@code dir/cases}, with its kwargs edited. */
  private static Path copyCase(Path dir, String file, String name, String key, Object value)
      throws IOException {
    Path cases = dir.resolve("cases");
    Files.createDirectories(cases);
    Files.createSymbolicLink(
        cases.resolve("schedulers.safetensors"),
        fixture.resolve("cases/schedulers.safetensors").toAbsolutePath());
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    try (Safetensors st = Safetensors.open(fixture.resolve("cases/" + file))) {
      for (String n : st.names()) {
        if (n.startsWith(name + ".")) {
          tensors.put(n, st.tensor(n).clone());
        }
      }
      ObjectNode kwargs = (ObjectNode) json(st.metadata().get(name + ".kwargs"));
      kwargs.set(key, JSON.valueToTree(value));
      metadata.put(name + ".kwargs", JSON.writeValueAsString(kwargs));
      metadata.put(name + ".scheduler", st.metadata().get(name + ".scheduler"));
    }
    Safetensors.write(cases.resolve(file), tensors, metadata);
    return cases;
  }

  @Test
  void unknownKwargIsRejectedNamingKeyAndCase(@TempDir Path dir) throws IOException {
    List<CaseResult> results;
    try (TensorScope s = TensorScope.open()) {
      Path cases = copyCase(dir, "pipeline.safetensors", "euler_cfg1", "foo", 1);
      results = PipelineParity.textToImage(pipe, cases);
    }
    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.pass()).isFalse();
              assertThat(r.name()).isEqualTo("pipeline:euler_cfg1");
              assertThat(r.detail()).contains("'foo'", "'euler_cfg1'", "StableDiffusionXLPipeline");
            });
  }

  /** diffusers' img2img takes its size from the image and would swallow height into **kwargs. */
  @Test
  void textToImageOnlyKwargIsRejectedInImg2imgCase(@TempDir Path dir) throws IOException {
    List<CaseResult> results;
    try (TensorScope s = TensorScope.open()) {
      Path cases = copyCase(dir, "img2img.safetensors", "img2img", "height", 64);
      results = PipelineParity.imageToImage(pipe, cases);
    }
    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.pass()).isFalse();
              assertThat(r.detail())
                  .contains("'height'", "'img2img'", "StableDiffusionXLImg2ImgPipeline");
            });
  }

  @Test
  void everyKwargOfTheRealFixtureIsSupported() throws IOException {
    for (String file : List.of("pipeline.safetensors", "img2img.safetensors")) {
      PipelineKwargs.Kind kind =
          file.startsWith("img2img")
              ? PipelineKwargs.Kind.IMAGE_TO_IMAGE
              : PipelineKwargs.Kind.TEXT_TO_IMAGE;
      try (Safetensors st = Safetensors.open(fixture.resolve("cases/" + file))) {
        int cases = 0;
        for (Map.Entry<String, String> m : st.metadata().entrySet()) {
          if (m.getKey().endsWith(".kwargs")) {
            String name = m.getKey().substring(0, m.getKey().length() - ".kwargs".length());
            PipelineKwargs kw = PipelineKwargs.parse(name, kind, json(m.getValue()), 1, 1024);
            assertThat(kw.numSteps())
                .as(name)
                .isEqualTo(json(m.getValue()).get("num_inference_steps").asInt());
            cases++;
          }
        }
        assertThat(cases).as(file).isPositive();
      }
    }
  }

  @Test
  void textToImageUsesNegativeSizesOnlyWhenBothAreGiven() throws IOException {
    float[] positive = {128, 96, 8, 16, 96, 128};
    String micro =
        ", \"original_size\": [128, 96], \"crops_coords_top_left\": [8, 16],"
            + " \"target_size\": [96, 128]";
    assertThat(timeIds(textToImage(micro + ", \"negative_original_size\": [32, 32]", 1), true))
        .containsExactly(concat(positive, positive));
    assertThat(
            timeIds(
                textToImage(
                    micro
                        + ", \"negative_original_size\": [32, 48],"
                        + " \"negative_target_size\": [40, 56]",
                    1),
                true))
        .containsExactly(concat(new float[] {32, 48, 0, 0, 40, 56}, positive));
  }

  @Test
  void img2imgTakesTheNegativeCropFromCropsCoordsTopLeft() throws IOException {
    PipelineKwargs kw =
        PipelineKwargs.parse(
            "img",
            PipelineKwargs.Kind.IMAGE_TO_IMAGE,
            json(
                "{\"prompt\": \"a cat\", \"strength\": 0.6, \"num_inference_steps\": 5,"
                    + " \"crops_coords_top_left\": [8, 16], \"negative_original_size\": [32, 48],"
                    + " \"negative_crops_coords_top_left\": [1, 2]}"),
            1,
            1024);
    kw.builder().imageSize(64, 64);
    assertThat(timeIds(kw, true))
        .containsExactly(
            concat(new float[] {32, 48, 8, 16, 64, 64}, new float[] {64, 64, 8, 16, 64, 64}));
  }

  @Test
  void defaultSizeComesFromThePipelineWhenHeightIsNull() throws IOException {
    PipelineKwargs kw =
        PipelineKwargs.parse(
            "case_b",
            PipelineKwargs.Kind.TEXT_TO_IMAGE,
            json("{\"prompt\": \"a cat\", \"height\": null, \"width\": null}"),
            1,
            256);
    assertThat(timeIds(kw, false)).containsExactly(256, 256, 0, 0, 256, 256);
    assertThat(kw.guidanceScale()).isEqualTo(5.0);
    assertThat(kw.numSteps()).isEqualTo(50);
  }

  @Test
  void unsupportedValuesAreRejectedNamingKeyAndCase() {
    for (String[] bad :
        new String[][] {
          {", \"eta\": 0.5", "eta"},
          {", \"output_type\": \"pil\"", "output_type"},
          {", \"clip_skip\": 1", "clip_skip"},
          {", \"num_images_per_prompt\": 2", "num_images_per_prompt"},
          {", \"strength\": 0.5", "strength"},
          {", \"original_size\": [128]", "original_size"},
          {", \"crops_coords_top_left\": null", "crops_coords_top_left"},
          {", \"guidance_rescale\": 1.5", "guidance_rescale"},
        }) {
      assertThatThrownBy(() -> textToImage(bad[0], 1))
          .as(bad[0])
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad[1] + "'")
          .hasMessageContaining("'case_a'");
    }
  }

  /** diffusers tiles the [negative, positive] time-id pair over the batch; not reproduced. */
  @Test
  void distinctNegativeTimeIdsWithSeveralImagesAreRejected() {
    assertThatThrownBy(
            () ->
                textToImage(
                    ", \"negative_original_size\": [32, 48], \"negative_target_size\": [40, 56]",
                    2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'negative_original_size'")
        .hasMessageContaining("tiles");
  }

  @Test
  void acceptedNoOpKwargsKeepTheDefaults() throws IOException {
    PipelineKwargs kw =
        textToImage(
            ", \"eta\": 0.0, \"num_images_per_prompt\": 1, \"return_dict\": true,"
                + " \"clip_skip\": null, \"output_type\": \"latent\", \"prompt_2\": \"\"",
            1);
    SdxlRequest r = kw.builder().build();
    assertThat(kw.outputType()).isEqualTo(PipelineKwargs.OutputType.LATENT);
    assertThat(PipelineAccess.get().promptRequest(r, true).prompts2()).isEmpty();
    assertThat(timeIds(kw, true)).containsExactly(64, 64, 0, 0, 64, 64, 64, 64, 0, 0, 64, 64);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
